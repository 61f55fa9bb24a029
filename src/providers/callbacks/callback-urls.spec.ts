import { CallbackUrls } from './callback-urls';

describe('CallbackUrls', () => {
  const urls = new CallbackUrls('https://gw.example.com/', 'a-secret-of-at-least-32-characters!!');
  const made = new URL(urls.url('/webhooks/jambonz/call/status', { cid: '01CALLB' }));
  const query = Object.fromEntries(made.searchParams);
  const path = made.pathname;

  it('makes an absolute URL below the public base with its parameters and a signature', () => {
    expect(made.origin + made.pathname).toBe('https://gw.example.com/webhooks/jambonz/call/status');
    expect(query).toEqual({ cid: '01CALLB', sig: expect.stringMatching(/^[\w-]{43}$/) });
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['the URL it made', path, query, 'valid'],
    ['the same parameters in another order', '/webhooks/jambonz/call', Object.fromEntries(new URL(urls.url('/webhooks/jambonz/call', { transfer: '+15551234567', cid: 'c' })).searchParams), 'valid'],
    ['no parameters at all', path, {}, 'unbound'],
    ['a record id without a signature', path, { cid: '01CALLB' }, 'missing'],
    ['another call id with the signature of the first', path, { ...query, cid: '01OTHER' }, 'mismatch'],
    ['an added parameter', path, { ...query, transfer: '+15550000000' }, 'mismatch'],
    ['another route', '/webhooks/jambonz/call', query, 'mismatch'],
    ['a repeated parameter', path, { ...query, cid: ['01CALLB', '01OTHER'] }, 'mismatch'],
    ['a truncated signature', path, { ...query, sig: String(query.sig).slice(0, 20) }, 'mismatch'],
  ])('%s → %s', (_name, route, params, verdict) => expect(urls.verify(route, params)).toBe(verdict));

  it('does not accept the signature of a gateway with another secret', () => {
    const other = new CallbackUrls('https://gw.example.com', 'another-secret-of-at-least-32-chars!!');
    expect(other.verify(path, query)).toBe('mismatch');
  });
});
