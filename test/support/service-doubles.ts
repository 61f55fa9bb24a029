import type { Logger } from 'pino';
import type { Principal } from '../../src/common/auth/principal';
import type { TenantSettings } from '../../src/tenants/tenant';
import type { TenantsService } from '../../src/tenants/tenants.service';

/** Stand-ins for the collaborators of services in their unit tests (the store is memory-unit-of-work.ts). */

export function aTenant(overrides: Partial<TenantSettings> = {}): TenantSettings {
  return {
    id: 'acme', name: 'Acme', defaultRegion: 'US', numbers: ['+14155550000'], requireConsent: false, doNotCall: new Set(),
    maxComposeLength: 1600, maskSensitiveData: false, agentEndpoints: ['*'], inboundRouting: 'sticky', stickyDays: 7,
    unattendedAlertSeconds: 120, ringTimeoutSeconds: 45, dispositions: [], smsTemplates: [],
    recordCalls: 'off', pauseBehavior: 'silence', recordingRetentionDays: 0, ...overrides,
  };
}

export function aPrincipal(overrides: Partial<Principal> = {}): Principal {
  return { agentId: 'alice', tenantId: 'acme', roles: ['agent'], pii: false, ...overrides };
}

/** The TenantsService of these tenants (by id and by number), as configuration would give them. */
export function tenantsOf(...tenants: TenantSettings[]): TenantsService {
  const get = (id: string) => {
    const tenant = tenants.find((t) => t.id === id);
    if (!tenant) throw new Error(`unknown tenant ${id}`);
    return tenant;
  };
  return {
    get, find: (id: string) => tenants.find((t) => t.id === id), all: () => tenants,
    ownerOf: (number: string) => tenants.find((t) => t.numbers.includes(number)),
  } as unknown as TenantsService;
}

/** A logger that keeps its warnings, so a test can check what was logged. */
export function quietLogger(): Logger & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  const logger = { warnings, warn: (...args: unknown[]) => warnings.push(args), info: () => undefined, error: () => undefined, debug: () => undefined };
  return logger as unknown as Logger & { warnings: unknown[] };
}
