import type { CallbackUrls } from '../callbacks/callback-urls';
import type { QueueChoiceStep } from '../queue-choice.port';
import { voicemailTwiml } from './twilio-voicemail';
import { xml } from './twilio-voice.mapper';

/** The same TwiML as twilio.voice.ts HANGUP_TWIML (not imported: that module imports this one). */
const HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

/** Where `<Gather>` of the queue timeout's question posts the caller's key (twilio-inbound.controller.ts). */
export const TWILIO_QUEUE_CHOICE_PATH = '/webhooks/twilio/voice/queue-choice';

/**
 * The TwiML the waiting caller's leg is redirected to (REST update, which takes it out of the
 * call's conference): one key, asked once. `<Gather>` posts `Digits` to its action, which is
 * signed for our call (`cid`) so that a request can only answer for the call the gateway asked;
 * a caller who presses nothing falls through to the `<Redirect>` to the same action without
 * digits (which the gateway takes as voicemail).
 */
export function queueChoiceTwiml(callId: string, prompt: string, callbacks: CallbackUrls): string {
  const action = xml(callbacks.url(TWILIO_QUEUE_CHOICE_PATH, { cid: callId }));
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="8" action="${action}" method="POST">` +
    `<Say>${xml(prompt)}</Say></Gather><Redirect method="POST">${action}</Redirect></Response>`;
}

/** The caller asked for a callback: the confirmation, then the call ends. */
export function callbackConfirmTwiml(prompt: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xml(prompt)}</Say><Hangup/></Response>`;
}

/** The answer to the Gather's action: what the gateway decided for the key. */
export function queueChoiceStepTwiml(step: QueueChoiceStep, callbacks: CallbackUrls): string {
  switch (step.kind) {
    case 'voicemail': return voicemailTwiml({ ...step.request, callbacks }, callbacks);
    case 'callback': return callbackConfirmTwiml(step.prompt);
    case 'hangup': return HANGUP;
  }
}
