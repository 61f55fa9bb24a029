/**
 * Audio arithmetic on 16-bit linear PCM: G.711 μ-law decoding (Twilio Media Streams), 8 → 16 kHz
 * upsampling, stereo interleaving and test tones. Pure; samples are Int16Array, bytes little-endian.
 */

/** The two sides of a call. `customer` is the left channel of a stereo file or stream, `agent` the right. */
export type Track = 'customer' | 'agent';
export const TRACKS: readonly Track[] = ['customer', 'agent'];

/** The rate audio moves through the gateway at (G.711's); clients may ask for 16 kHz. */
export const BASE_RATE = 8000;
/** 20 ms, the packetisation every provider here uses. */
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (BASE_RATE * FRAME_MS) / 1000;

const MULAW_TABLE = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const sign = u & 0x80;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    table[i] = sign ? -magnitude : magnitude;
  }
  return table;
})();

/** G.711 μ-law bytes to linear samples (ITU-T G.711, the decoder Twilio's payloads need). */
export function mulawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TABLE[bytes[i]!]!;
  return out;
}

/** Linear samples to G.711 μ-law (used to produce Twilio-shaped test audio). */
export function mulawEncode(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    let s = samples[i]!;
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0) s = -s;
    s = Math.min(s, 32635) + 0x84;
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    out[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  return out;
}

/** 8 kHz to 16 kHz by linear interpolation (the last sample is held: frames are upsampled one by one). */
export function upsample2x(samples: Int16Array): Int16Array {
  const out = new Int16Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const a = samples[i]!;
    const b = i + 1 < samples.length ? samples[i + 1]! : a;
    out[2 * i] = a;
    out[2 * i + 1] = (a + b) >> 1;
  }
  return out;
}

/** Two mono tracks into one stereo buffer (left, right); the shorter one is padded with silence. */
export function interleave(left: Int16Array, right: Int16Array): Int16Array {
  const n = Math.max(left.length, right.length);
  const out = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = left[i] ?? 0;
    out[2 * i + 1] = right[i] ?? 0;
  }
  return out;
}

/** Samples as little-endian bytes (a copy: Int16Array's own byte order is the machine's). */
export function toLeBytes(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

export function fromLeBytes(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/** `count` samples of a sine at `hz`, continuing from sample `offset` (so frames join without clicks). */
export function tone(hz: number, offset: number, count: number, amplitude = 8000, rate = BASE_RATE): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (offset + i)) / rate));
  return out;
}

/** Root mean square of samples: 0 for silence. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

/** Samples of several chunks, one after the other (one chunk is returned as it is). */
export function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
