import { BASE_RATE, concat, tone, toLeBytes } from '../../../../media/domain/pcm';
import { parseWav, wavHeader } from '../../../../media/domain/wav';

/**
 * What rtpengine plays to a SIP caller (`play media`). SIP has no text-to-speech, so the tenants'
 * `inboundGreeting` and `voicemailPrompt` texts (spoken by Twilio and jambonz) cannot be used:
 * the deployment gives WAV files instead (SIP_SOUNDS_DIR), and where it gives none the gateway
 * plays tone patterns of its own, generated here.
 */
export type SoundName = 'greeting' | 'hold-music' | 'voicemail-prompt' | 'beep' | 'queue-choice' | 'callback-confirm';
export const SOUND_NAMES: readonly SoundName[] = ['greeting', 'hold-music', 'voicemail-prompt', 'beep', 'queue-choice', 'callback-confirm'];
export type Sounds = Readonly<Record<SoundName, Buffer>>;

/**
 * The largest sound file: the gateway hands each file to rtpengine inside one NG datagram (`blob`),
 * which rtpengine reads up to 65,535 bytes, so that rtpengine needs no file system shared with the
 * gateway. About 3.7 s of 8 kHz 16-bit mono (hold music is repeated), 7.5 s of 8-bit G.711.
 */
export const MAX_SOUND_BYTES = 60_000;

/** Why a sound file cannot be played (undefined: it can). WAV only: rtpengine decodes it with ffmpeg whatever its codec. */
export function soundProblem(file: Buffer): string | undefined {
  if (file.length > MAX_SOUND_BYTES) return `is ${file.length} bytes; rtpengine takes at most ${MAX_SOUND_BYTES} in one command (shorten it, or use 8 kHz mono)`;
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') return 'is not a WAV file (RIFF/WAVE)';
  if (!file.includes('data', 12, 'ascii')) return 'has no audio (no data chunk)';
  return undefined;
}

/** `samples` faded in and out over 10 ms, so a tone starts and stops without a click. */
function faded(samples: Int16Array): Int16Array {
  const ramp = Math.min(80, Math.floor(samples.length / 2));
  const out = Int16Array.from(samples);
  for (let i = 0; i < ramp; i++) {
    out[i] = Math.round(out[i]! * (i / ramp));
    out[out.length - 1 - i] = Math.round(out[out.length - 1 - i]! * (i / ramp));
  }
  return out;
}

const note = (hz: number, ms: number, amplitude = 6000): Int16Array => faded(tone(hz, 0, (BASE_RATE * ms) / 1000, amplitude));
const rest = (ms: number): Int16Array => new Int16Array((BASE_RATE * ms) / 1000);

/** 8 kHz 16-bit mono PCM WAV of `samples`. */
export function wavOf(samples: Int16Array): Buffer {
  const pcm = toLeBytes(samples);
  return Buffer.concat([wavHeader(pcm.length, { channels: 1, sampleRate: BASE_RATE }), pcm]);
}

/**
 * The gateway's own sounds: a rising chime as the greeting; a slow four-note phrase, repeated, as
 * hold music (so the caller hears the call is alive, and it does not sound like ringback or busy);
 * a falling two-note chime before the beep as the voicemail prompt; the beep, 1 kHz for 400 ms.
 * The queue timeout's question (`queue-choice`, tenant policy `queueTimeoutOffer: choice`) counts
 * the keys: one low pip (1, voicemail), then two high pips (2, callback), twice; the callback's
 * confirmation (`callback-confirm`) is a quick rising run to a held top note, unlike the others.
 */
export function defaultSounds(): Sounds {
  return {
    greeting: wavOf(concat([note(523, 250), rest(50), note(659, 250), rest(50), note(784, 400), rest(400)])),
    'hold-music': wavOf(concat([note(392, 400, 3000), rest(100), note(440, 400, 3000), rest(100), note(494, 400, 3000), rest(100), note(440, 600, 3000), rest(900)])),
    'voicemail-prompt': wavOf(concat([note(784, 300), rest(50), note(523, 450), rest(300)])),
    beep: wavOf(concat([note(1000, 400, 8000), rest(100)])),
    'queue-choice': wavOf(concat([0, 1].flatMap(() => [note(440, 200), rest(400), note(880, 120), rest(80), note(880, 120), rest(700)]))),
    'callback-confirm': wavOf(concat([note(659, 120), rest(30), note(831, 120), rest(30), note(988, 120), rest(30), note(1319, 500), rest(300)])),
  };
}

/** How long a 16-bit PCM WAV plays (ms), when it can be read; rtpengine's `duration` reply says it for any file. */
export function durationMs(file: Buffer): number | undefined {
  try {
    return Math.round(parseWav(file).durationSeconds * 1000);
  } catch {
    return undefined;
  }
}

/** The deployment's files where it gave them, the gateway's own sounds for the rest. */
export function withDefaults(given: Partial<Record<SoundName, Buffer>>): Sounds {
  const defaults = defaultSounds();
  return Object.fromEntries(SOUND_NAMES.map((name) => [name, given[name] ?? defaults[name]])) as unknown as Sounds;
}
