import { DomainError } from '../../common/errors/domain-error';
import type { IncomingCall, IncomingVerdict } from '../inbound-call.port';

/** How often the hold music is repeated (jambonz's `play` takes a count; the caller waits at most this many plays). */
const HOLD_LOOPS = 200;
/** With no hold music configured, the caller waits in silence up to this long (jambonz has no music of its own). */
const SILENT_WAIT_SECONDS = 3600;

/** jambonz's call_hook of an application, for a call that came in: `{ call_sid, direction: "inbound", from, to, … }`. */
export function readJambonzIncomingCall(body: Record<string, unknown>): IncomingCall {
  const direction = body.direction;
  if (direction !== undefined && direction !== 'inbound') throw DomainError.invalidField('direction', 'must be inbound');
  return { provider: 'jambonz', providerRef: text(body, 'call_sid'), from: text(body, 'from'), to: text(body, 'to') };
}

/**
 * The verbs for an incoming call. An unknown number is declined with 404 and a caller already on a
 * call with 486 (`sip:decline`, which must be the only verb); an accepted caller hears the greeting
 * (`say`), then the hold music (`play`, repeated) until the gateway redirects the call to dial
 * the agent who answered (JambonzVoiceProvider.connectAgent).
 */
export function incomingVerbs(verdict: IncomingVerdict): unknown[] {
  switch (verdict.kind) {
    case 'unknown-number':
      return [{ verb: 'sip:decline', status: 404, reason: 'Not Found' }];
    case 'busy':
      return [{ verb: 'sip:decline', status: 486, reason: 'Busy Here' }];
    case 'accepted':
      return [
        { verb: 'say', text: verdict.greeting },
        verdict.holdMusicUrl ? { verb: 'play', url: verdict.holdMusicUrl, loop: HOLD_LOOPS } : { verb: 'pause', length: SILENT_WAIT_SECONDS },
      ];
  }
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw DomainError.invalidField(field, 'must be a non-empty string of at most 200 characters');
  return value;
}
