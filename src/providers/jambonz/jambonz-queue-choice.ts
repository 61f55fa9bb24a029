import type { CallbackUrls } from '../callbacks/callback-urls';
import type { QueueChoiceStep } from '../queue-choice.port';
import { voicemailVerbs } from './jambonz-listen';

/** The call_hook a waiting caller's leg is redirected to for the queue timeout's question (jambonz-inbound.controller.ts). */
export const JAMBONZ_QUEUE_CHOICE_HOOK_PATH = '/webhooks/jambonz/call/queue-choice';
/** The `gather` verb's actionHook: jambonz posts the caller's key here. */
export const JAMBONZ_QUEUE_CHOICE_DIGITS_PATH = '/webhooks/jambonz/call/queue-choice/digits';
/** The call_hook of a caller who is offered a callback without a question: the confirmation, then hang up. */
export const JAMBONZ_CALLBACK_CONFIRM_PATH = '/webhooks/jambonz/call/callback-confirm';

/** The signed call_hook of the question: the prompt travels in it, so the hook needs no lookup. */
export function queueChoiceHookUrl(callbacks: CallbackUrls, callId: string, prompt: string): string {
  return callbacks.url(JAMBONZ_QUEUE_CHOICE_HOOK_PATH, { cid: callId, prompt });
}

export function callbackConfirmHookUrl(callbacks: CallbackUrls, callId: string, prompt: string): string {
  return callbacks.url(JAMBONZ_CALLBACK_CONFIRM_PATH, { cid: callId, prompt });
}

/**
 * One key (`gather` with `input: ['digits']`, `numDigits: 1`), the prompt nested so that a key
 * pressed during it counts. jambonz posts the result to the actionHook (signed for our call)
 * whatever it was — a key, or `reason: timeout` without digits — and runs the verbs it answers.
 */
export function queueChoiceVerbs(callbacks: CallbackUrls, callId: string, prompt: string): unknown[] {
  return [{
    verb: 'gather', input: ['digits'], numDigits: 1, timeout: 8,
    actionHook: { url: callbacks.url(JAMBONZ_QUEUE_CHOICE_DIGITS_PATH, { cid: callId }), method: 'POST' },
    say: { text: prompt },
  }];
}

export function callbackConfirmVerbs(prompt: string): unknown[] {
  return [{ verb: 'say', text: prompt }, { verb: 'hangup' }];
}

/** The answer to the gather's actionHook: what the gateway decided for the key (`sid`: the caller's leg, for the voicemail's listen). */
export function queueChoiceStepVerbs(step: QueueChoiceStep, callbacks: CallbackUrls, callId: string, sid: string): unknown[] {
  switch (step.kind) {
    case 'voicemail': return voicemailVerbs(callbacks, { callId, sid, ...step.request });
    case 'callback': return callbackConfirmVerbs(step.prompt);
    case 'hangup': return [{ verb: 'hangup' }];
  }
}
