/**
 * Provider failover (pure). A tenant lists its providers per channel in order; a send or call is
 * handed to the first, and to the next one only when the first certainly did not take it (no
 * answer, or a 5xx). It is tried at most once more: two providers per interaction at most, so a
 * broad outage costs one extra request, not one per listed provider.
 */

/** One hand-over to a provider, as recorded on the interaction. `error` null: the provider took it. */
export interface ProviderAttempt {
  provider: string;
  error: string | null;
  code: string | null;
}

/** How many providers one interaction is handed to at most (the first, then one retry). */
export const MAX_PROVIDERS_PER_INTERACTION = 2;

/**
 * The providers to try, in order: the tenant's list when it has one, else its single provider, else
 * the gateway's default; duplicates dropped, cut to MAX_PROVIDERS_PER_INTERACTION.
 */
export function providerChain<N extends string>(list: readonly N[] | undefined, single: N | undefined, fallback: N): N[] {
  const named = list && list.length > 0 ? list : [single ?? fallback];
  return [...new Set(named)].slice(0, MAX_PROVIDERS_PER_INTERACTION);
}

/** Whether the next provider is tried after this failure: only when it is retryable and one is left. */
export function failsOver(failure: { retryable: boolean }, attemptsSoFar: number, chainLength: number): boolean {
  return failure.retryable && attemptsSoFar < chainLength && attemptsSoFar < MAX_PROVIDERS_PER_INTERACTION;
}

/** The stored form (a JSON column); anything unreadable reads as no attempts. */
export function parseAttempts(json: string | null | undefined): ProviderAttempt[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter((a): a is ProviderAttempt => typeof a === 'object' && a !== null && typeof (a as ProviderAttempt).provider === 'string')
      .map((a) => ({ provider: a.provider, error: typeof a.error === 'string' ? a.error : null, code: typeof a.code === 'string' ? a.code : null }));
  } catch {
    return [];
  }
}
