/**
 * The SMS state machine, forward-only: `queued → sending → sent → delivered | undelivered | failed`.
 * Provider callbacks arrive late, twice and out of order, so a fact only moves a message to a
 * strictly later state; anything else is stale and changes nothing. Jumps are fine (a provider
 * that only reports `delivered` takes a message straight from `queued` there).
 *
 * `received` is the state of an inbound message from birth to the end: nothing moves into or out
 * of it.
 */
export type SmsState = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export const SMS_STATES: readonly SmsState[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'received'];

/** Outbound ranks; the three rank-3 states are terminal. `received` has no rank. */
const RANK: Partial<Record<SmsState, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
};
const TERMINAL_RANK = 3;

/** No fact changes a terminal message. `received` counts: an inbound message never changes either. */
export function isTerminal(state: SmsState): boolean {
  return state === 'received' || RANK[state] === TERMINAL_RANK;
}

export function advance(current: SmsState, next: SmsState): { changed: boolean; state: SmsState } {
  const from = RANK[current];
  const to = RANK[next];
  if (from === undefined || to === undefined || from === TERMINAL_RANK || to <= from) {
    return { changed: false, state: current };
  }
  return { changed: true, state: next };
}
