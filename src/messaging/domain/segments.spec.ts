import { countSegments, GSM7_BASIC, GSM7_EXTENSION } from './segments';

const a = (n: number) => 'a'.repeat(n);
const zh = (n: number) => 'ж'.repeat(n); // Cyrillic: UCS-2, one code unit each
const EMOJI = '😀'; // a surrogate pair: two code units

describe('GSM 03.38 tables', () => {
  it('has the 127 typeable basic characters (128 less ESC) and 10 extension characters', () => {
    expect(GSM7_BASIC.size).toBe(127);
    expect(GSM7_EXTENSION.size).toBe(10);
    for (const c of GSM7_EXTENSION) expect(GSM7_BASIC.has(c)).toBe(false);
  });
});

describe('countSegments', () => {
  it.each<[string, string, 'GSM-7' | 'UCS-2', number, number]>([
    // name, body, encoding, units, segments
    ['empty body: one GSM-7 segment of 0 units', '', 'GSM-7', 0, 1],
    ['short plain text', 'Hello, world!', 'GSM-7', 13, 1],
    ['exactly 160 GSM-7 chars', a(160), 'GSM-7', 160, 1],
    ['161 GSM-7 chars', a(161), 'GSM-7', 161, 2],
    ['306 GSM-7 chars', a(306), 'GSM-7', 306, 2],
    ['307 GSM-7 chars', a(307), 'GSM-7', 307, 3],
    ['one € in 159 plain chars → 161 septets', a(159) + '€', 'GSM-7', 161, 2],
    ['one € in 158 plain chars → 160 septets', a(158) + '€', 'GSM-7', 160, 1],
    ['one [ costs 2 septets', 'a[b', 'GSM-7', 4, 1],
    ['every extension char costs 2', '\f^{}\\[~]|€', 'GSM-7', 20, 1],
    ['Greek capitals, Ç, newline and CR are basic', 'ΔΦΓΛΩΠΨΣΘΞ Ç\r\n', 'GSM-7', 14, 1],
    ['ç (lower-case c cedilla) is not in the basic set', 'ça va', 'UCS-2', 5, 1],
    ['one emoji makes a short text UCS-2', `hi ${EMOJI}`, 'UCS-2', 5, 1],
    ['70 UCS-2 chars', zh(70), 'UCS-2', 70, 1],
    ['71 UCS-2 chars', zh(71), 'UCS-2', 71, 2],
    ['134 UCS-2 chars', zh(134), 'UCS-2', 134, 2],
    ['135 UCS-2 chars', zh(135), 'UCS-2', 135, 3],
    ['one GSM-7 char in UCS-2 text costs one unit', 'a' + zh(69), 'UCS-2', 70, 1],
    // The boundaries: the straddling character moves to the next segment.
    ['extension char ending exactly at septet 153', a(151) + '€' + a(153), 'GSM-7', 306, 2],
    ['extension char straddling septet 153', a(152) + '€' + a(152), 'GSM-7', 306, 3],
    ['surrogate pair ending exactly at unit 67', zh(65) + EMOJI + zh(67), 'UCS-2', 134, 2],
    ['surrogate pair straddling unit 67', zh(66) + EMOJI + zh(66), 'UCS-2', 134, 3],
  ])('%s', (_name, body, encoding, units, segments) => {
    expect(countSegments(body)).toEqual({ encoding, units, segments });
  });
});
