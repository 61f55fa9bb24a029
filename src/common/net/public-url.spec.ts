import { publicUrlProblem, urlShapeProblem } from './public-url';

const PRIVATE = 'must not name a private, loopback, link-local or multicast address';
const LOCAL = 'must not name a local or internal host';

describe('publicUrlProblem', () => {
  it.each<[string, string, string | null]>([
    ['a public https URL', 'https://cdn.example.com/a.jpg', null],
    ['a public IPv4 literal', 'https://93.184.215.14/a.jpg', null],
    ['a public IPv6 literal', 'https://[2606:4700:4700::1111]/a.jpg', null],
    ['an IPv4-mapped public address', 'https://[::ffff:8.8.8.8]/a.jpg', null],
    ['a name with a trailing dot', 'https://cdn.example.com./a.jpg', null],
    ['http', 'http://cdn.example.com/a.jpg', 'must be an https URL'],
    ['ftp', 'ftp://cdn.example.com/a.jpg', 'must be an https URL'],
    ['javascript:', 'javascript:alert(1)', 'must be an https URL'],
    ['a relative URL', '/a.jpg', 'must be an absolute URL'],
    ['garbage', 'not a url', 'must be an absolute URL'],
    ['an empty string', '', 'must be a URL of at most 2000 characters'],
    ['a very long URL', `https://cdn.example.com/${'a'.repeat(2000)}`, 'must be a URL of at most 2000 characters'],
    ['user and password', 'https://user:pass@cdn.example.com/a.jpg', 'must not carry a user name or password'],
    ['a user name alone', 'https://user@cdn.example.com/a.jpg', 'must not carry a user name or password'],
    ['loopback', 'https://127.0.0.1/a.jpg', PRIVATE],
    ['loopback elsewhere in 127/8', 'https://127.1.2.3/a.jpg', PRIVATE],
    ['loopback as a decimal number', 'https://2130706433/a.jpg', PRIVATE],
    ['loopback in hex', 'https://0x7f000001/a.jpg', PRIVATE],
    ['loopback, short and hex', 'https://0x7f.1/a.jpg', PRIVATE],
    ['loopback in octal', 'https://0177.0.0.1/a.jpg', PRIVATE],
    ['the unspecified address', 'https://0.0.0.0/a.jpg', PRIVATE],
    ['10/8', 'https://10.1.2.3/a.jpg', PRIVATE],
    ['172.16/12', 'https://172.31.255.255/a.jpg', PRIVATE],
    ['just past 172.16/12', 'https://172.32.0.1/a.jpg', null],
    ['192.168/16', 'https://192.168.1.1/a.jpg', PRIVATE],
    ['carrier-grade NAT', 'https://100.64.0.1/a.jpg', PRIVATE],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/', PRIVATE],
    ['IPv4 multicast', 'https://224.0.0.1/a.jpg', PRIVATE],
    ['broadcast', 'https://255.255.255.255/a.jpg', PRIVATE],
    ['IPv4 documentation', 'https://192.0.2.10/a.jpg', PRIVATE],
    ['IPv6 loopback', 'https://[::1]/a.jpg', PRIVATE],
    ['IPv6 loopback written out', 'https://[0:0:0:0:0:0:0:1]/a.jpg', PRIVATE],
    ['IPv6 unspecified', 'https://[::]/a.jpg', PRIVATE],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/a.jpg', PRIVATE],
    ['IPv4-mapped metadata, in hex', 'https://[::ffff:a9fe:a9fe]/a.jpg', PRIVATE],
    ['IPv4-mapped 10/8', 'https://[::ffff:10.0.0.1]/a.jpg', PRIVATE],
    ['NAT64 around loopback', 'https://[64:ff9b::7f00:1]/a.jpg', PRIVATE],
    ['6to4 around 10/8', 'https://[2002:0a00:0001::1]/a.jpg', PRIVATE],
    ['IPv6 unique-local', 'https://[fd12:3456:789a::1]/a.jpg', PRIVATE],
    ['IPv6 link-local', 'https://[fe80::1]/a.jpg', PRIVATE],
    ['IPv6 multicast', 'https://[ff02::1]/a.jpg', PRIVATE],
    ['IPv6 documentation', 'https://[2001:db8::1]/a.jpg', PRIVATE],
    ['Teredo', 'https://[2001:0:4136:e378::1]/a.jpg', PRIVATE],
    ['localhost', 'https://localhost/a.jpg', LOCAL],
    ['localhost with a trailing dot', 'https://localhost./a.jpg', LOCAL],
    ['LOCALHOST in capitals', 'https://LOCALHOST/a.jpg', LOCAL],
    ['a name under localhost', 'https://api.localhost/a.jpg', LOCAL],
    ['an mDNS name', 'https://printer.local/a.jpg', LOCAL],
    ['a .internal name', 'https://metadata.google.internal/computeMetadata/v1/', LOCAL],
    ['a home.arpa name', 'https://nas.home.arpa/a.jpg', LOCAL],
    ['a single label', 'https://intranet/a.jpg', LOCAL],
  ])('%s', (_name, url, problem) => {
    expect(publicUrlProblem(url)).toBe(problem);
  });

  it('accepts http only when asked to', () => {
    expect(publicUrlProblem('http://cdn.example.com/a.jpg', { allowHttp: true })).toBeNull();
    expect(publicUrlProblem('http://127.0.0.1/a.jpg', { allowHttp: true })).toBe(PRIVATE);
  });
});

describe('urlShapeProblem', () => {
  it.each<[string, boolean, string | null]>([
    ['https://127.0.0.1:8443/m/1.jpg', false, null],
    ['http://127.0.0.1:8443/m/1.jpg', true, null],
    ['http://127.0.0.1:8443/m/1.jpg', false, 'must be an https URL'],
    ['file:///etc/passwd', true, 'must be an http(s) URL'],
    ['https://a:b@carrier.example.net/m/1.jpg', true, 'must not carry a user name or password'],
  ])('%s (http allowed: %s)', (url, allowHttp, problem) => {
    expect(urlShapeProblem(url, { allowHttp })).toBe(problem);
  });
});
