import { VoiceProviderError } from '../voice-provider.port';
import {
  blackHoleAnswer, customerUri, directionOf, endpointUri, infoKey, mediaTargets, parseTrunk, restamp, sipEndReason, sipProgress, withDirection,
} from './sip.mapper';

describe('SIP final status → end reason', () => {
  it.each([
    [486, 'busy'], [600, 'busy'],
    [408, 'no-answer'], [480, 'no-answer'],
    [603, 'rejected'],
    [487, 'canceled'],
    [300, 'failed'], [302, 'failed'], [403, 'failed'], [404, 'failed'], [484, 'failed'], [488, 'failed'],
    [500, 'failed'], [503, 'failed'], [604, 'failed'], [606, 'failed'],
  ])('%d → %s', (status, reason) => expect(sipEndReason(status)).toBe(reason));
});

describe('SIP response to the customer INVITE → call fact', () => {
  it.each([
    [100, undefined], [181, undefined], [182, undefined],
    [180, { kind: 'ringing' }], [183, { kind: 'ringing' }],
    [200, { kind: 'answered' }],
    [486, { kind: 'ended', reason: 'busy' }], [480, { kind: 'ended', reason: 'no-answer' }], [503, { kind: 'ended', reason: 'failed' }],
  ])('%d → %j', (status, fact) => expect(sipProgress(status)).toEqual(fact));
});

describe('SIP addresses', () => {
  const trunk = 'sip:trunk.example.com:5060';

  it.each([
    ['sip:trunk.example.com:5060', { scheme: 'sip', hostport: 'trunk.example.com:5060', params: '' }],
    ['sips:trunk.example.com;transport=tls', { scheme: 'sips', hostport: 'trunk.example.com', params: ';transport=tls' }],
    ['trunk.example.com:5080', { scheme: 'sip', hostport: 'trunk.example.com:5080', params: '' }],
    ['sip:gw@10.0.0.1:5060;transport=tcp', { scheme: 'sip', hostport: '10.0.0.1:5060', params: ';transport=tcp' }],
  ])('reads the trunk %s', (uri, parsed) => expect(parseTrunk(uri)).toEqual(parsed));

  it('refuses an empty trunk', () => expect(() => parseTrunk('')).toThrow(/sipTrunkUri/));

  it.each([
    ['sip:1001@pbx.example.com', 'sip:1001@pbx.example.com'],
    ['sips:1001@pbx.example.com;transport=tls', 'sips:1001@pbx.example.com;transport=tls'],
    ['+15551234567', 'sip:+15551234567@trunk.example.com:5060'],
  ])('agent endpoint %s → %s', (endpoint, uri) => expect(endpointUri(endpoint, trunk)).toBe(uri));

  it.each([['user:alice', /cannot reach agent endpoint "user:alice"/], ['5551234', /neither a sip: URI nor an E.164 number/], ['tel:+15551234567', /neither/]])(
    'refuses agent endpoint %s',
    (endpoint, message) => {
      expect(() => endpointUri(endpoint, trunk)).toThrow(VoiceProviderError);
      expect(() => endpointUri(endpoint, trunk)).toThrow(message);
    },
  );

  it('dials customers through the trunk, keeping its parameters', () => {
    expect(customerUri('+14155550123', trunk)).toBe('sip:+14155550123@trunk.example.com:5060');
    expect(customerUri('+14155550123', 'sip:trunk.example.com;transport=tcp')).toBe('sip:+14155550123@trunk.example.com;transport=tcp');
    expect(() => customerUri('4155550123', trunk)).toThrow(VoiceProviderError);
  });
});

describe('SDP direction for re-INVITEs', () => {
  const offer = ['v=0', 'o=agent 1000 7 IN IP4 10.0.0.10', 's=-', 'c=IN IP4 10.0.0.10', 't=0 0',
    'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

  it('replaces the direction and raises the version', () => {
    const held = withDirection(offer, 'inactive');
    expect(held).toBe(offer.replace('a=sendrecv', 'a=inactive').replace('1000 7 ', '1000 8 '));
    expect(withDirection(held, 'sendrecv')).toContain('o=agent 1000 9 IN IP4');
  });

  it('adds the direction to each stream where the offer relied on the default', () => {
    const bare = ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 10.0.0.1',
      'm=video 4002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000'].join('\n');
    expect(withDirection(bare, 'sendonly').split('\n')).toEqual([
      'v=0', 'o=- 1 2 IN IP4 10.0.0.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 10.0.0.1', 'a=sendonly',
      'm=video 4002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=sendonly', '',
    ]);
  });

  it('keeps versions beyond 2^53 exact', () => {
    expect(withDirection(offer.replace('1000 7 ', '1000 9007199254740993 '), 'inactive')).toContain('1000 9007199254740994 ');
  });
});

describe('SDP direction of a description (a consultation keeps the customer\'s hold)', () => {
  it.each([
    ['v=0\r\nm=audio 7000 RTP/AVP 0\r\na=inactive\r\n', 'inactive'],
    ['v=0\nm=audio 7000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\na=recvonly\n', 'recvonly'],
    ['v=0\r\nm=audio 7000 RTP/AVP 0\r\n', 'sendrecv'],
  ])('%j → %s', (sdp, direction) => expect(directionOf(sdp)).toBe(direction));
});

describe('SDP between the legs (click-to-call without an un-ACKed 200)', () => {
  const agent = ['v=0', 'o=agent 53655765 4 IN IP4 10.0.0.10', 's=-', 'c=IN IP4 10.0.0.10', 't=0 0',
    'm=audio 40000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');

  it('answers the agent\'s offer with a black hole: same streams and codecs, inactive, at 0.0.0.0:9, our origin', () => {
    expect(blackHoleAnswer(agent, '1700000000')).toBe(['v=0', 'o=contact-gateway 1700000000 1 IN IP4 0.0.0.0', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0',
      'm=audio 9 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=inactive', ''].join('\r\n'));
  });

  it('passes a description on under the origin we used on the leg, version raised', () => {
    const customer = agent.replace('o=agent 53655765 4 IN IP4 10.0.0.10', 'o=customer 99 1 IN IP4 10.0.0.20');
    const ours = blackHoleAnswer(agent, '17');
    expect(restamp(customer, ours)).toBe(customer.replace('o=customer 99 1 IN IP4 10.0.0.20', 'o=contact-gateway 17 2 IN IP4 0.0.0.0'));
    expect(restamp(customer, agent)).toContain('o=agent 53655765 5 IN IP4 10.0.0.10');
  });

  it.each([
    [agent, ['10.0.0.10 40000']],
    [agent.replace('m=audio 40000', 'm=audio 40002'), ['10.0.0.10 40002']],
    [['v=0', 'c=IN IP4 1.1.1.1', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 2.2.2.2', 'm=video 4002 RTP/AVP 96'].join('\n'), ['2.2.2.2 4000', '1.1.1.1 4002']],
  ])('reads where media goes', (sdp, targets) => expect(mediaTargets(sdp)).toEqual(targets));
});

describe('a key in a caller\'s SIP INFO', () => {
  it.each([
    ['application/dtmf-relay', 'Signal=2\r\nDuration=160\r\n', '2'],
    ['application/dtmf-relay', 'Signal= #\r\nDuration=250', '#'],
    ['Application/DTMF-Relay; charset=utf-8', 'signal=*', '*'],
    ['application/dtmf-relay', 'Signal=11\r\nDuration=160', '#'],
    ['application/dtmf-relay', 'Signal=10', '*'],
    ['application/dtmf-relay', 'Signal=d', 'D'],
    ['application/dtmf', '1\r\n', '1'],
    ['application/dtmf-relay', 'Duration=160', undefined],
    ['application/dtmf-relay', 'Signal=12', undefined],
    ['application/dtmf-relay', 'Signal=', undefined],
    ['application/dtmf', 'hello', undefined],
    ['application/media_control+xml', '<media_control/>', undefined],
    [undefined, 'Signal=2', undefined],
    ['application/dtmf-relay', undefined, undefined],
  ])('%s %j → %s', (type, body, key) => expect(infoKey(type, body)).toBe(key));
});
