import { isProxyAddress } from './proxy-address';

describe('isProxyAddress (an entry of TRUSTED_PROXIES)', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.0/8', true],
    ['192.168.1.0/24', true],
    ['0.0.0.0/0', true],
    ['::1', true],
    ['fd00::/8', true],
    ['2001:db8::/128', true],
    ['loopback', true],
    ['linklocal', true],
    ['uniquelocal', true],
    ['10.0.0.0/33', false],
    ['fd00::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/x', false],
    ['256.0.0.1', false],
    ['proxy.example.com', false],
    ['*', false],
    ['true', false],
    ['', false],
  ])('%j → %s', (entry, expected) => {
    expect(isProxyAddress(entry)).toBe(expected);
  });
});
