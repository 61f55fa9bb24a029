/** What start-up knows about where a tenant's traffic goes. */
export interface TenantRoute {
  id: string;
  numbers: number;
  /** The SMS provider its messages go through, and whether that is the stand-in simulator. */
  sms: string;
  smsIsSimulator: boolean;
  /** The voice provider its calls go through, or why there is none. */
  voice: string;
}

export interface BootFacts {
  env: 'development' | 'production' | 'test';
  /** The store without credentials: `postgres://host:port/db` or the SQLite file. */
  store: string;
  /** Redis without credentials, or undefined for one instance on its own. */
  redis: string | undefined;
  publicBaseUrl: string;
  tenants: readonly TenantRoute[];
}

/**
 * The one start-up line an operator reads to see what this instance will do, and in production
 * what must stop it: a tenant whose SMS goes through a real provider with no number to send from
 * would start and then refuse every message (422) — a configuration error, said at boot.
 */
export function bootSummary(facts: BootFacts): { summary: Record<string, unknown>; refusal?: string } {
  const summary = {
    env: facts.env, store: facts.store, redis: facts.redis ?? 'none (one instance)', publicBaseUrl: facts.publicBaseUrl,
    tenants: Object.fromEntries(facts.tenants.map((t) => [t.id, { sms: t.sms, voice: t.voice, numbers: t.numbers }])),
  };
  if (facts.env !== 'production') return { summary };
  const silent = facts.tenants.find((t) => !t.smsIsSimulator && t.numbers === 0);
  if (!silent) return { summary };
  return {
    summary,
    refusal: `Invalid configuration: tenant ${silent.id} sends SMS through ${silent.sms} but has no number to send from (tenants[].numbers)`,
  };
}

/** A URL as it may be logged: no user name or password. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}
