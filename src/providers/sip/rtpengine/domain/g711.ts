import { mulawDecode } from '../../../../media/domain/pcm';

/**
 * The payloads rtpengine forwards to the gateway: G.711 as the phones negotiated it (static RTP
 * payload types 0 = PCMU, 8 = PCMA, RFC 3551), decoded to 16-bit linear samples at 8 kHz.
 */
export const PCMU = 0;
export const PCMA = 8;

const ALAW_TABLE = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const a = i ^ 0x55; // A-law inverts the even bits
    const exponent = (a >> 4) & 0x07;
    const mantissa = a & 0x0f;
    let magnitude = (mantissa << 4) + 8;
    if (exponent > 0) magnitude = (magnitude + 0x100) << (exponent - 1);
    table[i] = a & 0x80 ? magnitude : -magnitude; // A-law: the sign bit set means positive
  }
  return table;
})();

/** G.711 A-law bytes to linear samples (ITU-T G.711). */
export function alawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_TABLE[bytes[i]!]!;
  return out;
}

/** Linear samples of a G.711 payload, or undefined for any other payload type (telephone-event, comfort noise…). */
export function g711Decode(payloadType: number, payload: Uint8Array): Int16Array | undefined {
  if (payloadType === PCMU) return mulawDecode(payload);
  if (payloadType === PCMA) return alawDecode(payload);
  return undefined;
}
