/**
 * How many SMS segments a body costs (GSM 03.38 / 3GPP TS 23.038).
 *
 * GSM-7 when every character is in the basic table or its extension table (an extension character
 * is sent as ESC + char, so it costs 2 septets); otherwise UCS-2, counted in UTF-16 code units.
 * A single segment holds 160 septets / 70 units; a concatenated one loses room to its UDH and holds
 * 153 / 67. Segments are filled greedily, because a segment may not split an escape sequence
 * (GSM-7) or a surrogate pair (UCS-2): the straddling character moves to the next segment.
 *
 * An empty body counts as one GSM-7 segment of 0 units: sending it still costs a message.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

/** The basic table, 0x00–0x7F, minus ESC (0x1B), which is not a character anyone types. */
export const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅå' +
    'Δ_ΦΓΛΩΠΨΣΘΞ' + 'ÆæßÉ' +
    ' !"#¤%&\'()*+,-./' +
    '0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
    '¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: each costs ESC + itself = 2 septets. */
export const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

export function countSegments(body: string): SegmentCount {
  // One pass for the usual short GSM-7 body, which fits one segment: its septets, or -1 once a
  // character is not GSM-7 (UCS-2's units are then body.length, UTF-16 code units).
  let septets = 0;
  for (const c of body) { // code points: a surrogate pair stays together
    if (GSM7_BASIC.has(c)) septets += 1;
    else if (GSM7_EXTENSION.has(c)) septets += 2;
    else { septets = -1; break; }
  }
  const gsm = septets >= 0;
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const units = gsm ? septets : body.length;
  const { single, multi } = LIMITS[encoding];
  if (units <= single) return { encoding, segments: 1, units };

  // GSM-7: 1 or 2 septets; UCS-2: 1 or 2 code units (c.length is 2 for a surrogate pair).
  const weights = Array.from(body, (c) => (gsm ? (GSM7_EXTENSION.has(c) ? 2 : 1) : c.length));
  let segments = 1;
  let used = 0;
  for (const w of weights) {
    if (used + w > multi) {
      segments += 1;
      used = 0;
    }
    used += w;
  }
  return { encoding, segments, units };
}
