import { addressAllowed, streamTargetProblem } from './stream-target';

describe('streamTargetProblem', () => {
  it.each([
    ['wss://asr.example.com/calls', 'public', null],
    ['WSS://asr.example.com:8443/in?x=1', 'public', null],
    ['ws://asr.example.com/calls', 'public', 'must be a wss: URL (audio leaves the gateway encrypted)'],
    ['https://asr.example.com/', 'public', 'must be a wss: URL'],
    ['wss://127.0.0.1/', 'public', 'must not name a private, loopback, link-local or multicast address'],
    ['wss://[::1]/', 'public', 'must not name a private, loopback, link-local or multicast address'],
    ['wss://2130706433/', 'public', 'must not name a private, loopback, link-local or multicast address'],
    ['wss://metadata/', 'public', 'must not name a local or internal host'],
    ['wss://asr.internal/', 'public', 'must not name a local or internal host'],
    ['wss://user:pw@asr.example.com/', 'public', 'must not carry a user name or password'],
    ['wss://asr.example.com/#x', 'public', 'must not carry a fragment'],
    ['wss://', 'public', 'must be an absolute URL'],
    [`wss://asr.example.com/${'a'.repeat(2000)}`, 'public', 'must be a URL of at most 2000 characters'],
    ['ws://127.0.0.1:9000/in', 'any', null],
    ['ftp://127.0.0.1/', 'any', 'must be a ws: or wss: URL'],
    [null, 'any', 'must be a WebSocket URL'],
    [42, 'public', 'must be a WebSocket URL'],
  ] as const)('%s under %s → %s', (url, targets, expected) => {
    expect(streamTargetProblem(url, targets)).toBe(expected);
  });
});

describe('addressAllowed', () => {
  it.each([
    ['93.184.216.34', 'public', true],
    ['10.1.2.3', 'public', false],
    ['127.0.0.1', 'public', false],
    ['::1', 'public', false],
    ['2606:4700::1111', 'public', true],
    ['::ffff:127.0.0.1', 'public', false],
    ['not-an-ip', 'public', false],
    ['127.0.0.1', 'any', true],
  ] as const)('%s under %s → %s', (address, targets, expected) => {
    expect(addressAllowed(address, targets)).toBe(expected);
  });
});
