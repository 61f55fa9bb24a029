import { decodeAudioFrame, encodeAudioFrame } from './audio-frame';
import { byteRange } from './byte-range';
import { fromLeBytes, interleave, mulawDecode, mulawEncode, rms, toLeBytes, tone, upsample2x } from './pcm';
import { channelOf, parseWav, wavHeader } from './wav';

describe('μ-law (G.711)', () => {
  it.each([
    [0xff, 0], [0x7f, 0], [0x80, 32124], [0x00, -32124], [0xf0, 120], [0x70, -120],
  ])('decodes 0x%s to %i (the G.711 table)', (byte, sample) => {
    expect(mulawDecode(Uint8Array.of(byte))[0]).toBe(sample);
  });

  it('round-trips a tone within the codec’s quantisation error', () => {
    const samples = tone(440, 0, 160);
    const back = mulawDecode(mulawEncode(samples));
    for (let i = 0; i < samples.length; i++) expect(Math.abs(back[i]! - samples[i]!)).toBeLessThanOrEqual(Math.abs(samples[i]!) / 16 + 8);
  });
});

describe('PCM helpers', () => {
  it('upsamples 8 → 16 kHz by interpolation, doubling the samples', () => {
    expect([...upsample2x(Int16Array.of(0, 100, -100))]).toEqual([0, 50, 100, 0, -100, -100]);
  });

  it('interleaves customer left and agent right, padding the shorter with silence', () => {
    expect([...interleave(Int16Array.of(1, 2, 3), Int16Array.of(9))]).toEqual([1, 9, 2, 0, 3, 0]);
  });

  it('writes little-endian bytes and reads them back', () => {
    const bytes = toLeBytes(Int16Array.of(1, -2));
    expect([...bytes]).toEqual([1, 0, 0xfe, 0xff]);
    expect([...fromLeBytes(bytes)]).toEqual([1, -2]);
  });

  it('tells silence from a tone', () => {
    expect(rms(new Int16Array(160))).toBe(0);
    expect(rms(tone(440, 0, 800))).toBeGreaterThan(5000);
  });
});

describe('WAV', () => {
  it('writes a header that its reader (and any player) understands', () => {
    const data = toLeBytes(interleave(tone(440, 0, 8000), tone(660, 0, 8000)));
    const wav = parseWav(Buffer.concat([wavHeader(data.length, { channels: 2, sampleRate: 8000 }), data]));
    expect(wav).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 1 });
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(5000);
  });

  it('finds the data chunk after other chunks, and refuses what is not 16-bit PCM', () => {
    const fmt = wavHeader(4, { channels: 1, sampleRate: 8000 }).subarray(12, 36);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const data = Buffer.concat([Buffer.from('data'), Buffer.from([4, 0, 0, 0]), Buffer.from([1, 0, 2, 0])]);
    const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
    const file = Buffer.concat([Buffer.from('RIFF'), Buffer.from([body.length, 0, 0, 0]), body]);
    expect([...parseWav(file).data]).toEqual([1, 0, 2, 0]);
    expect(() => parseWav(Buffer.from('RIFF0000WAVX'))).toThrow('not a RIFF/WAVE file');
    const alaw = Buffer.from(file);
    alaw.writeUInt16LE(6, 20);
    expect(() => parseWav(alaw)).toThrow('not 16-bit PCM');
  });
});

describe('HTTP byte ranges', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', { kind: 'partial', start: 100, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=900-5000', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=50-10', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=-', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'unsatisfiable' }],
    ['items=0-1', { kind: 'unsatisfiable' }],
  ] as const)('%s over 1000 bytes → %j', (header, expected) => {
    expect(byteRange(header, 1000)).toEqual(expected);
  });
});

describe('live audio frames', () => {
  it('carry the channel and the timestamp before the PCM', () => {
    const frame = encodeAudioFrame('agent', 1234, Buffer.from([1, 2, 3, 4]));
    expect(frame.length).toBe(12);
    expect(decodeAudioFrame(frame)).toEqual({ channel: 'agent', timestampMs: 1234, pcm: Buffer.from([1, 2, 3, 4]) });
  });
});
