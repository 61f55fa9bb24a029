import type { Principal, Role } from '../common/auth/principal';
import type { TenantSettings } from '../tenants/tenant';

/** What `GET /v1/me` answers: the caller, and the settings of their tenant a desktop acts on. */
export interface MeView {
  agentId: string;
  roles: Role[];
  /** Whether this caller sees phone numbers and e-mails in clear (else they come masked). */
  clearData: boolean;
  tenant: {
    id: string;
    name: string;
    /** Longest SMS body an agent may send. */
    maxComposeLength: number;
    /** The tenant's own numbers (E.164): what customers see and text to. */
    numbers: string[];
    /** Wrap-up reasons to choose from; empty: any disposition (1–100 characters). */
    dispositions: string[];
    /** SMS templates to offer; `<name>` marks a parameter, filled through `template.params`. */
    smsTemplates: string[];
    /** Click-to-call needs the customer's consent (`consent` on the request). */
    requireConsent: boolean;
    maskSensitiveData: boolean;
  };
}

/** Only settings a desktop acts on: providers, credentials and routing stay server-side. */
export function meView(principal: Principal, tenant: TenantSettings, clearData: boolean): MeView {
  return {
    agentId: principal.agentId,
    roles: [...principal.roles],
    clearData,
    tenant: {
      id: tenant.id,
      name: tenant.name,
      maxComposeLength: tenant.maxComposeLength,
      numbers: [...tenant.numbers],
      dispositions: [...tenant.dispositions],
      smsTemplates: [...tenant.smsTemplates],
      requireConsent: tenant.requireConsent,
      maskSensitiveData: tenant.maskSensitiveData,
    },
  };
}
