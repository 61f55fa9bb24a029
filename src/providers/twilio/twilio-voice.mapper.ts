import type { CallFact } from '../../calls/domain/call-state';

/** Every Twilio CallStatus, mapped to a fact of ours; undefined means "nothing to tell". */
export function mapTwilioCallStatus(status: string): CallFact | undefined {
  switch (status) {
    case 'queued':
    case 'initiated':
      return undefined;
    case 'ringing':
      return { kind: 'ringing' };
    case 'in-progress':
    case 'answered':
      return { kind: 'answered' };
    case 'completed':
      return { kind: 'ended', reason: 'completed' };
    case 'busy':
      return { kind: 'ended', reason: 'busy' };
    case 'no-answer':
      return { kind: 'ended', reason: 'no-answer' };
    case 'canceled':
      return { kind: 'ended', reason: 'canceled' };
    case 'failed':
      return { kind: 'ended', reason: 'failed' };
    default:
      return undefined;
  }
}

/** The agent endpoint as Twilio dials it: SIP URIs and numbers as they are, `user:x` as a Client. */
export function twilioAddress(endpoint: string): string {
  return endpoint.startsWith('user:') ? `client:${endpoint.slice(5)}` : endpoint;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** TwiML that puts a leg into the call's conference; the conference ends when the customer leaves. */
export function conferenceTwiml(conference: string, label: string, before = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${before}<Dial><Conference participantLabel="${xml(label)}" ` +
    `startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="">${xml(conference)}</Conference></Dial></Response>`;
}
