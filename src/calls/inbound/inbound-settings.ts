import type { AppConfig } from '../../config/config.schema';
import { INBOUND_POLICY_DEFAULTS } from '../../tenants/tenant-document';
import type { TenantSettings } from '../../tenants/tenant';

/** A tenant's inbound call settings (its policies, see the admin API), with their defaults. */
export interface InboundSettings {
  ringNoAnswerSeconds: number;
  /** After this long unanswered the caller is offered voicemail; 0: never. */
  queueTimeoutSeconds: number;
  voicemailPrompt: string;
  /** What a caller whose wait timed out is offered, and what they hear for a callback or the choice. */
  queueTimeoutOffer: 'voicemail' | 'callback' | 'choice';
  callbackPrompt: string;
  queueChoicePrompt: string;
  greeting: string;
  /** null: the provider's own hold music. */
  holdMusicUrl: string | null;
  /** Agents' devices from the YAML seed, by agent id. */
  seededDevices: ReadonlyMap<string, string>;
}

export const INBOUND_DEFAULTS = {
  ringNoAnswerSeconds: INBOUND_POLICY_DEFAULTS.ringNoAnswerSeconds,
  queueTimeoutSeconds: INBOUND_POLICY_DEFAULTS.queueTimeoutSeconds,
  voicemailPrompt: INBOUND_POLICY_DEFAULTS.voicemailPrompt,
  queueTimeoutOffer: INBOUND_POLICY_DEFAULTS.queueTimeoutOffer,
  callbackPrompt: INBOUND_POLICY_DEFAULTS.callbackPrompt,
  queueChoicePrompt: INBOUND_POLICY_DEFAULTS.queueChoicePrompt,
  greeting: INBOUND_POLICY_DEFAULTS.inboundGreeting,
} as const;

/** The tenants as this instance has them loaded (TenantsService); reloaded on `tenant.updated`. */
export interface LoadedTenants {
  find(id: string): TenantSettings | undefined;
}

/**
 * Reads a tenant's inbound settings on every call: they are tenant policies, changed through the
 * admin API while running, and the tenant's loaded settings follow every change (`tenant.updated`).
 * The configuration's `tenants[]` entry applies where the settings have no value (settings built
 * by tests); the seeded devices come from the configuration alone and are kept.
 */
export class InboundSettingsReader {
  private readonly devices = new Map<string, ReadonlyMap<string, string>>();

  constructor(private readonly config: AppConfig, private readonly tenants?: LoadedTenants) {}

  of(tenantId: string): InboundSettings {
    const t = this.config.tenants?.find((tenant) => tenant.id === tenantId);
    const s = this.tenants?.find(tenantId);
    let seededDevices = this.devices.get(tenantId);
    if (!seededDevices) {
      seededDevices = new Map((t?.agents ?? []).map((a) => [a.id, a.endpoint]));
      this.devices.set(tenantId, seededDevices);
    }
    return {
      ringNoAnswerSeconds: s?.ringNoAnswerSeconds ?? t?.ringNoAnswerSeconds ?? INBOUND_DEFAULTS.ringNoAnswerSeconds,
      queueTimeoutSeconds: s?.queueTimeoutSeconds ?? t?.queueTimeoutSeconds ?? INBOUND_DEFAULTS.queueTimeoutSeconds,
      voicemailPrompt: s?.voicemailPrompt ?? t?.voicemailPrompt ?? INBOUND_DEFAULTS.voicemailPrompt,
      queueTimeoutOffer: s?.queueTimeoutOffer ?? t?.queueTimeoutOffer ?? INBOUND_DEFAULTS.queueTimeoutOffer,
      callbackPrompt: s?.callbackPrompt ?? t?.callbackPrompt ?? INBOUND_DEFAULTS.callbackPrompt,
      queueChoicePrompt: s?.queueChoicePrompt ?? t?.queueChoicePrompt ?? INBOUND_DEFAULTS.queueChoicePrompt,
      greeting: s?.inboundGreeting ?? t?.inboundGreeting ?? INBOUND_DEFAULTS.greeting,
      holdMusicUrl: s?.holdMusicUrl !== undefined ? s.holdMusicUrl : t?.holdMusicUrl ?? null,
      seededDevices,
    };
  }
}
