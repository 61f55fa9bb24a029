import type { Track } from '../../media/domain/pcm';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { VoicemailRequest } from '../voicemail.port';

/** The gateway's WebSocket endpoint jambonz's `listen` connects to (jambonz-listen.gateway.ts). */
export const JAMBONZ_LISTEN_PATH = '/webhooks/jambonz/listen';
/** The call_hook a waiting caller's leg is redirected to for voicemail (jambonz-inbound.controller.ts). */
export const JAMBONZ_VOICEMAIL_HOOK_PATH = '/webhooks/jambonz/call/voicemail';
/** The WebSocket subprotocol jambonz's listen asks for; the endpoint accepts no other client. */
export const JAMBONZ_AUDIO_PROTOCOL = 'audio.jambonz.org';
/** The caller's voicemail as the gateway keeps it at most, whatever jambonz sends (memory bound). */
export const JAMBONZ_VOICEMAIL_CAP_SECONDS = 300;

/**
 * A signed listen URL, as ws(s): `cid` our call, `sid` the jambonz call sid of the customer's leg
 * (the listen's first text frame must name it), `rid` our recording for a voicemail. jambonz
 * keeps a listen URL's query string, so the binding travels in it (unlike Twilio's streams).
 */
export function listenUrl(callbacks: CallbackUrls, binding: { cid: string; sid: string; rid?: string }): string {
  return callbacks.url(JAMBONZ_LISTEN_PATH, binding).replace(/^http/, 'ws');
}

/**
 * The `listen` nested in the dial that bridges customer and agent: jambonz starts it when the
 * agent answers, on the customer's endpoint, so with `mixType: stereo` the first (left) channel is
 * what the customer says and the second (right) what the customer hears — the agent. It runs for
 * as long as the dial; live call control (`listen_status`) only pauses and resumes it, and there
 * is no way to start one mid-call without replacing the dial. `bidirectionalAudio` is off: the
 * gateway never plays into the call.
 */
export function dialListen(callbacks: CallbackUrls, callId: string, sid: string): Record<string, unknown> {
  return {
    url: listenUrl(callbacks, { cid: callId, sid }),
    mixType: 'stereo', sampleRate: 8000, passDtmf: true,
    bidirectionalAudio: { enabled: false },
    metadata: { callId },
  };
}

/**
 * The caller's voicemail (queue timeout): the prompt, then a mono `listen` of the caller to the
 * gateway after a beep, at most `maxSeconds` (jambonz ends it, and `#` does too), then hang up.
 * The listen socket closing is the end of the message; the gateway writes the WAV.
 */
export function voicemailVerbs(callbacks: CallbackUrls, request: { callId: string; sid: string; recordingId: string; prompt: string; maxSeconds: number }): unknown[] {
  return [
    { verb: 'say', text: request.prompt },
    {
      verb: 'listen', url: listenUrl(callbacks, { cid: request.callId, sid: request.sid, rid: request.recordingId }),
      mixType: 'mono', sampleRate: 8000, maxLength: request.maxSeconds, playBeep: true, finishOnKey: '#',
      bidirectionalAudio: { enabled: false }, metadata: { callId: request.callId, recordingId: request.recordingId },
    },
    { verb: 'hangup' },
  ];
}

/** The signed call_hook of a voicemail: the prompt and length travel in it, so the hook needs no lookup. */
export function voicemailHookUrl(callbacks: CallbackUrls, callId: string, request: Pick<VoicemailRequest, 'recordingId' | 'prompt' | 'maxSeconds'>): string {
  return callbacks.url(JAMBONZ_VOICEMAIL_HOOK_PATH, { cid: callId, rid: request.recordingId, prompt: request.prompt, max: String(request.maxSeconds) });
}

/**
 * Whether the listen's first text frame (jambonz's call attributes, camelCase) is of the customer's
 * leg `sid`: a listen of its own (voicemail) names it `callSid`, one nested in a dial carries the
 * dialled leg's attributes with the customer's leg as `parentCallSid`.
 */
export function metadataNames(metadata: unknown, sid: string): boolean {
  if (typeof metadata !== 'object' || metadata === null) return false;
  const m = metadata as Record<string, unknown>;
  return m.callSid === sid || m.parentCallSid === sid;
}

/** A DTMF text frame of a listen with `passDtmf`: `{ event: "dtmf", dtmf, duration }`. */
export function dtmfOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  return m.event === 'dtmf' && typeof m.dtmf === 'string' && /^[0-9*#A-D]$/.test(m.dtmf) ? m.dtmf : undefined;
}

/** The stereo channels of the dial's listen (see dialListen): left the customer, right the agent. */
export const STEREO_TRACKS: readonly [Track, Track] = ['customer', 'agent'];

/**
 * Splits binary L16 (little-endian) frames into samples per channel. A frame may end mid-sample
 * or mid-pair; the rest is carried into the next one, so no sample is lost or shifted.
 */
export class L16Splitter {
  private rest = Buffer.alloc(0);

  constructor(private readonly channels: 1 | 2) {}

  push(data: Buffer): Int16Array[] {
    const bytes = this.rest.length ? Buffer.concat([this.rest, data]) : data;
    const step = 2 * this.channels;
    const whole = bytes.length - (bytes.length % step);
    this.rest = Buffer.from(bytes.subarray(whole));
    const n = whole / step;
    const out = Array.from({ length: this.channels }, () => new Int16Array(n));
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < this.channels; c++) out[c]![i] = bytes.readInt16LE(i * step + c * 2);
    }
    return out;
  }
}
