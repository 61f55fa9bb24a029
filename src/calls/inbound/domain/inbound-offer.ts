/**
 * Whom an inbound call rings on, and when it rings out (pure: no clock, no store).
 *
 * The candidate is who the conversation routing gives the call to: the agent of the caller's open
 * conversation, or the sticky agent of a new one (routing/domain/inbound-routing.ts). The call
 * rings on the candidate's console only when they can take it: online (a socket open somewhere)
 * and not away. Otherwise it waits in the queue, where any agent may answer it.
 */
export interface OfferFacts {
  candidate: string | null;
  online: boolean;
  away: boolean;
}

export type Offer = { offeredTo: string; reason: 'agent' } | { offeredTo: null; reason: 'no-agent' | 'offline' | 'away' };

export function chooseOffer(facts: OfferFacts): Offer {
  if (facts.candidate === null) return { offeredTo: null, reason: 'no-agent' };
  if (!facts.online) return { offeredTo: null, reason: 'offline' };
  if (facts.away) return { offeredTo: null, reason: 'away' };
  return { offeredTo: facts.candidate, reason: 'agent' };
}

/** The moment before which an offer made has rung out (RONA): `now` less the tenant's seconds. */
export function ringOutBefore(now: string, ringNoAnswerSeconds: number): string {
  return new Date(Date.parse(now) - ringNoAnswerSeconds * 1000).toISOString();
}

/**
 * `answeredBy` of a call whose queue timed out and went to voicemail: no agent id can be it (agent
 * ids never hold `#`, common/agent-id.ts), so the voicemail and an agent's answer exclude each other.
 */
export const VOICEMAIL = '#voicemail';
/** `answeredBy` of a timed-out call whose caller is being asked: 1 for voicemail, 2 for a callback. */
export const QUEUE_CHOICE = '#queue-choice';
/** `answeredBy` of a timed-out call whose caller asked for a callback. */
export const CALLBACK = '#callback';
export type TimeoutMarker = typeof VOICEMAIL | typeof QUEUE_CHOICE | typeof CALLBACK;

/** Why an agent may not answer the call now (a 409), or undefined when they may try to claim it. */
export function answerRefusal(
  call: { state: string; offeredTo: string | null; answeredBy: string | null },
  agentId: string,
): string | undefined {
  if (call.state !== 'initiating' && call.state !== 'ringing') return `the call is ${call.state}, not waiting for an agent`;
  if (call.answeredBy === VOICEMAIL) return 'the caller waited too long and was sent to voicemail';
  if (call.answeredBy === QUEUE_CHOICE) return 'the caller waited too long and is choosing between voicemail and a callback';
  if (call.answeredBy === CALLBACK) return 'the caller waited too long and asked for a callback';
  if (call.answeredBy !== null) return call.answeredBy === agentId ? 'you have answered this call already' : `the call was answered by ${call.answeredBy}`;
  if (call.offeredTo !== null && call.offeredTo !== agentId) return `the call rings on ${call.offeredTo}; it can be answered by others once it is back in the queue`;
  return undefined;
}
