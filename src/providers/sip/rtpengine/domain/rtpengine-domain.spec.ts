import { mulawEncode } from '../../../../media/domain/pcm';
import { bdecode, bencode, ngMessage, ngReply } from './bencode';
import { alawDecode, g711Decode, PCMA, PCMU } from './g711';
import { parseRtp, rtpPacket } from './rtp';
import { subscriptionAnswer, telephoneEventTypes } from './subscription-sdp';

describe('bencode (the NG protocol\'s encoding)', () => {
  it.each([
    ['a string', 'offer', '5:offer'],
    ['UTF-8 counted in bytes', 'né', '3:né'],
    ['an empty string', '', '0:'],
    ['an integer', 42, 'i42e'],
    ['a negative integer', -7, 'i-7e'],
    ['zero', 0, 'i0e'],
    ['a list', ['trust-address', 1], 'l13:trust-addressi1ee'],
    ['a dictionary, keys sorted by bytes', { 'to-tag': 'b', command: 'offer', 'call-id': 'c1' }, 'd7:call-id2:c17:command5:offer6:to-tag1:be'],
    ['undefined entries left out', { a: 'x', b: undefined }, 'd1:a1:xe'],
    ['nesting', { replace: ['origin', 'session-connection'] }, 'd7:replacel6:origin18:session-connectionee'],
  ])('encodes %s', (_what, value, wire) => {
    expect(bencode(value as never).toString('utf8')).toBe(wire);
    if (!(typeof value === 'object' && !Array.isArray(value) && Object.values(value).includes(undefined))) expect(bdecode(Buffer.from(wire))).toEqual(value);
  });

  it('encodes bytes as they are', () => {
    expect(bencode(Buffer.from([0, 255])).equals(Buffer.from([0x32, 0x3a, 0, 255]))).toBe(true);
  });

  it('refuses what is not an integer', () => {
    expect(() => bencode(1.5)).toThrow(/integers only/);
  });

  it.each([
    ['truncated string', '5:abc'],
    ['trailing bytes', 'i1ei2e'],
    ['leading zero', 'i01e'],
    ['minus zero', 'i-0e'],
    ['no terminator', 'l1:a'],
    ['key without a value', 'd1:ae'],
    ['key that is not a string', 'di1e1:ae'],
    ['nothing', ''],
    ['junk', 'x'],
    ['nested too deeply', 'l'.repeat(40) + 'e'.repeat(40)],
  ])('refuses a malformed value: %s', (_what, wire) => {
    expect(() => bdecode(Buffer.from(wire))).toThrow(SyntaxError);
  });

  it('frames an NG message with its cookie, and splits a reply', () => {
    expect(ngMessage('c00k1e', { command: 'ping' }).toString()).toBe('c00k1e d7:command4:pinge');
    expect(ngReply(Buffer.from('c00k1e d6:result4:ponge'))).toEqual({ cookie: 'c00k1e', body: { result: 'pong' } });
    expect(() => ngReply(Buffer.from('d6:result4:ponge'))).toThrow(/cookie|dictionary/);
    expect(() => ngReply(Buffer.from('c00k1e l4:ponge'))).toThrow(/dictionary/);
  });
});

describe('G.711 decoding', () => {
  // ITU-T G.711 A-law (the same 256 values as the reference decoder): 0xD5/0x55 the smallest magnitudes, 0xAA/0x2A the largest.
  it.each([
    [0xd5, 8], [0x55, -8], [0xaa, 32256], [0x2a, -32256], [0xd4, 24], [0xc5, 264], [0xfa, 1008], [0x80, 5504],
  ])('A-law byte %i → %i', (byte, linear) => {
    expect(alawDecode(Uint8Array.of(byte))[0]).toBe(linear);
  });

  it('A-law decodes to every magnitude once per sign (256 distinct values, symmetric)', () => {
    const all = alawDecode(Uint8Array.from({ length: 256 }, (_, i) => i));
    expect(new Set(all).size).toBe(256);
    for (let i = 0; i < 128; i++) expect(all[i]).toBe(-all[i | 0x80]!);
  });

  it('μ-law round-trips through the shared codec, A-law and μ-law by payload type, nothing else', () => {
    const samples = Int16Array.of(0, 1000, -1000, 30000);
    const back = g711Decode(PCMU, mulawEncode(samples))!;
    back.forEach((v, i) => expect(Math.abs(v - samples[i]!)).toBeLessThanOrEqual(Math.abs(samples[i]!) / 16 + 8));
    expect(g711Decode(PCMA, Uint8Array.of(0xd5))).toEqual(Int16Array.of(8));
    expect(g711Decode(101, Uint8Array.of(5, 10, 0, 160))).toBeUndefined();
    expect(g711Decode(9, Uint8Array.of(1))).toBeUndefined();
  });
});

describe('RTP packets', () => {
  const payload = Buffer.from([1, 2, 3, 4]);

  it('reads the header and the payload', () => {
    const packet = rtpPacket({ payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payload, marker: true });
    expect(parseRtp(packet)).toEqual({ payloadType: 8, marker: true, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payload });
  });

  it('skips CSRCs and a header extension, and drops padding', () => {
    const base = rtpPacket({ payloadType: 0, sequence: 1, timestamp: 160, ssrc: 7, payload: Buffer.alloc(0) });
    base[0] = 0x80 | 0x20 | 0x10 | 1; // padding, extension, one CSRC
    const csrc = Buffer.alloc(4, 9);
    const extension = Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]);
    const padding = Buffer.from([0, 0, 3]);
    expect(parseRtp(Buffer.concat([base, csrc, extension, payload, padding]))?.payload).toEqual(payload);
  });

  it.each([
    ['too short', Buffer.alloc(11)],
    ['not version 2', Buffer.concat([Buffer.from([0x40]), Buffer.alloc(15)])],
    ['RTCP on the same port', Buffer.concat([Buffer.from([0x80, 200]), Buffer.alloc(14)])],
    ['an extension past the end', Buffer.concat([Buffer.from([0x90, 8]), Buffer.alloc(10), Buffer.from([0xbe, 0xde, 0, 9])])],
  ])('ignores %s', (_what, datagram) => {
    expect(parseRtp(datagram)).toBeUndefined();
  });
});

describe('the answer to a subscription offer', () => {
  const offer = [
    'v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=rtpengine', 't=0 0',
    'm=audio 40010 RTP/AVP 101 0 8', 'c=IN IP4 10.0.0.5', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16',
    'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=sendonly', 'a=rtcp:40011',
    'm=video 40020 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', '',
  ].join('\r\n');

  it('receives the audio at the gateway\'s socket, recvonly, G.711 first, and refuses other streams', () => {
    expect(subscriptionAnswer(offer, '10.0.0.9', 50000, '77').split('\r\n')).toEqual([
      'v=0', 'o=contact-gateway 77 1 IN IP4 10.0.0.9', 's=-', 'c=IN IP4 10.0.0.9', 't=0 0',
      'm=audio 50000 RTP/AVP 0 8 101', 'a=recvonly', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16',
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
      'm=video 0 RTP/AVP 96', '',
    ]);
  });

  it('speaks IPv6 when the gateway is reached over it', () => {
    expect(subscriptionAnswer(offer, 'fd00::9', 50000, '1')).toContain('c=IN IP6 fd00::9\r\n');
  });

  it.each([
    ['the usual 101', offer, [101]],
    ['another type', 'm=audio 1 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n', [96]],
    ['none', 'm=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n', []],
    ['not at 8 kHz', 'm=audio 1 RTP/AVP 9 97\r\na=rtpmap:97 telephone-event/16000\r\n', []],
  ])('finds the RFC 4733 payload types: %s', (_what, sdp, types) => {
    expect(telephoneEventTypes(sdp)).toEqual(types);
  });

  it('refuses an offer without audio', () => {
    expect(() => subscriptionAnswer('v=0\r\nm=video 1 RTP/AVP 96\r\n', '10.0.0.9', 1, '1')).toThrow(/no audio/);
  });
});
