import type { CallbackUrls } from '../callbacks/callback-urls';
import type { VoicemailRequest } from '../voicemail.port';
import { TWILIO_RECORDING_STATUS_PATH } from './twilio.media';
import { xml } from './twilio-voice.mapper';

/** Where Twilio goes once `<Record>` is over: it only hangs up (twilio-inbound.controller.ts). */
export const TWILIO_VOICEMAIL_DONE_PATH = '/webhooks/twilio/voice/voicemail-done';

/**
 * The TwiML the waiting caller's leg is redirected to (REST update, which takes it out of the
 * call's conference): the prompt, then `<Record>` of the caller (mono) whose finished file Twilio
 * reports to the recording status callback signed for our recording (`rid`), the same route as
 * every recording. `<Record>` runs nothing after itself: its `action` is our route that hangs up
 * (without one Twilio would request "the current document" again). A caller who says nothing
 * gives no file: Twilio reports `absent` and the recording is marked failed.
 */
export function voicemailTwiml(request: VoicemailRequest, callbacks: CallbackUrls): string {
  const status = callbacks.url(TWILIO_RECORDING_STATUS_PATH, { rid: request.recordingId });
  const done = callbacks.url(TWILIO_VOICEMAIL_DONE_PATH, { rid: request.recordingId });
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xml(request.prompt)}</Say>` +
    `<Record action="${xml(done)}" method="POST" maxLength="${request.maxSeconds}" playBeep="true" trim="trim-silence" ` +
    `recordingStatusCallback="${xml(status)}" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed absent"/></Response>`;
}
