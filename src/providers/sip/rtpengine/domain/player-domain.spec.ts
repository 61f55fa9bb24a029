import { parseWav } from '../../../../media/domain/wav';
import { rms } from '../../../../media/domain/pcm';
import { HOLD_REPEATS, holdingAnswer, playMedia, stopMedia } from './player-commands';
import { defaultSounds, durationMs, MAX_SOUND_BYTES, SOUND_NAMES, soundProblem, wavOf, withDefaults } from './sounds';

describe('play media / stop media (what rtpengine 10.5 reads: call-id, from-tag = who hears it, blob, repeat-times)', () => {
  const blob = Buffer.from('RIFF....WAVE');
  it.each([
    ['once by default', undefined, 1],
    ['repeated', 3, 3],
    ['hold music, repeated for any wait', HOLD_REPEATS, HOLD_REPEATS],
  ])('plays %s', (_what, repeat, expected) => {
    expect(playMedia('call-1', 'customer', blob, repeat)).toEqual({ command: 'play media', 'call-id': 'call-1', 'from-tag': 'customer', blob, 'repeat-times': expected });
  });

  it.each([0, -1, 1.5])('refuses repeat-times %s', (repeat) => {
    expect(() => playMedia('call-1', 'customer', blob, repeat)).toThrow(RangeError);
  });

  it('stops what plays to the same participant', () => {
    expect(stopMedia('call-1', 'customer')).toEqual({ command: 'stop media', 'call-id': 'call-1', 'from-tag': 'customer' });
  });
});

describe('holdingAnswer (the agent side\'s stand-in answer while nobody is connected)', () => {
  const offer = (connection: string, media: string[]) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=rtpengine', connection, 't=0 0', ...media].join('\r\n') + '\r\n';
  it.each([
    ['PCMA with events, rtcp and direction dropped',
      offer('c=IN IP4 10.0.0.5', ['m=audio 42000 RTP/AVP 8 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', 'a=rtcp:42001', 'a=ptime:20']),
      ['v=0', 'o=contact-gateway 7 1 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0', 'm=audio 9 RTP/AVP 8 101', 'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv']],
    ['a held offer still answered sendrecv (the caller must be told to send and receive)',
      offer('c=IN IP4 10.0.0.5', ['m=audio 42000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendonly']),
      ['v=0', 'o=contact-gateway 7 1 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']],
    ['IPv6, two streams, each sendrecv',
      offer('c=IN IP6 fd00::5', ['m=audio 42000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'm=video 42002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000']),
      ['v=0', 'o=contact-gateway 7 1 IN IP6 fd00::5', 's=-', 'c=IN IP6 fd00::5', 't=0 0', 'm=audio 9 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'a=sendrecv',
        'm=video 9 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=sendrecv']],
  ])('%s', (_what, rtpengineOffer, lines) => {
    expect(holdingAnswer(rtpengineOffer, '7')).toBe(lines.join('\r\n') + '\r\n');
  });

  it('refuses an offer without media', () => {
    expect(() => holdingAnswer('v=0\r\nc=IN IP4 10.0.0.5\r\n', '7')).toThrow(/no media/);
  });
});

describe('sounds played to SIP callers', () => {
  const riff = (body: string) => Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'), Buffer.from(body, 'latin1')]);
  it.each([
    ['a PCM WAV', wavOf(new Int16Array(800)), undefined],
    ['any WAV codec (rtpengine decodes it)', riff('fmt \x10\0\0\0\x07\0\x01\0data\x04\0\0\0abcd'), undefined],
    ['not a WAV', Buffer.from('ID3\x03 an mp3'), 'is not a WAV file (RIFF/WAVE)'],
    ['too short to be one', Buffer.from('RIFF'), 'is not a WAV file (RIFF/WAVE)'],
    ['a WAV without audio', riff('fmt \x10\0\0\0\x01\0\x01\0'), 'has no audio (no data chunk)'],
    ['longer than one NG command carries', wavOf(new Int16Array(MAX_SOUND_BYTES / 2)), `is ${MAX_SOUND_BYTES + 44} bytes; rtpengine takes at most ${MAX_SOUND_BYTES} in one command (shorten it, or use 8 kHz mono)`],
  ])('%s', (_what, file, problem) => {
    expect(soundProblem(file)).toBe(problem);
  });

  it.each(SOUND_NAMES.map((name) => [name]))('the gateway\'s own %s is an audible 8 kHz mono WAV rtpengine takes', (name) => {
    const file = defaultSounds()[name as (typeof SOUND_NAMES)[number]];
    expect(soundProblem(file)).toBeUndefined();
    const wav = parseWav(file);
    expect(wav).toMatchObject({ channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    expect(wav.durationSeconds).toBeGreaterThan(0.3);
    expect(rms(new Int16Array(wav.data.buffer.slice(wav.data.byteOffset, wav.data.byteOffset + wav.data.length)))).toBeGreaterThan(500);
  });

  it('the gateway\'s own sounds are all different, so a caller can tell the queue timeout\'s question and confirmation from the rest', () => {
    const sounds = defaultSounds();
    for (const a of SOUND_NAMES) {
      for (const b of SOUND_NAMES) if (a !== b) expect([a, b, sounds[a].equals(sounds[b])]).toEqual([a, b, false]);
    }
    // The question is the longest (said twice): the caller has time to take it in before the wait for a key.
    expect(Math.max(...SOUND_NAMES.map((n) => durationMs(sounds[n])!))).toBe(durationMs(sounds['queue-choice']));
  });

  it('knows how long a PCM WAV plays, and says nothing of one it cannot read', () => {
    expect(durationMs(wavOf(new Int16Array(12_000)))).toBe(1500);
    expect(durationMs(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeUndefined();
  });

  it('takes the deployment\'s files where given, its own sounds for the rest', () => {
    const greeting = wavOf(new Int16Array(80));
    const sounds = withDefaults({ greeting });
    expect(sounds.greeting).toBe(greeting);
    expect(sounds['hold-music'].equals(defaultSounds()['hold-music'])).toBe(true);
  });
});
