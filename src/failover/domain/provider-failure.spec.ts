import { MAX_FAILURE_MESSAGE, parseFailure, providerFailure, safeProviderMessage } from './provider-failure';

describe('safeProviderMessage', () => {
  it.each([
    { case: 'a plain refusal stays as it is',
      text: "The 'To' number +14155552692 is not a valid phone number.", want: "The 'To' number +14155552692 is not a valid phone number." },
    { case: 'a signed callback URL is cut to its host',
      text: 'Url is not a valid URL: https://gw.example.com/webhooks/twilio/voice?cid=01J&sig=abcdef', want: 'Url is not a valid URL: https://gw.example.com/…' },
    { case: 'credentials in a URL go with it',
      text: 'could not reach http://user:hunter2@10.0.0.5:8080', want: 'could not reach http://10.0.0.5:8080' },
    { case: 'an Authorization value is redacted',
      text: 'sent Authorization: Bearer eyJhbGciOi.x.y and failed', want: 'sent Authorization: [redacted] [redacted] and failed' },
    { case: 'name=value secrets are redacted',
      text: 'bad request: api_key=sk_live_123 token: "abc def" password=pw', want: 'bad request: api_key=[redacted] token: [redacted] password=[redacted]' },
    { case: 'account SIDs and long hex runs are redacted',
      text: `account AC${'0'.repeat(32)} with ${'f'.repeat(40)}`, want: 'account AC[redacted] with [redacted]' },
    { case: 'control characters and runs of white space become one space',
      text: 'Busy\r\n\tHere  ', want: 'Busy Here' },
  ])('$case', ({ text, want }) => {
    expect(safeProviderMessage(text)).toBe(want);
  });

  it('bounds a long message', () => {
    const safe = safeProviderMessage('x '.repeat(1000));
    expect(safe.length).toBe(MAX_FAILURE_MESSAGE);
    expect(safe.endsWith('…')).toBe(true);
  });
});

describe('providerFailure', () => {
  it.each([
    { code: 21211, want: '21211' },
    { code: '503', want: '503' },
    { code: null, want: null },
    { code: undefined, want: null },
    { code: '', want: null },
  ])('code $code → $want', ({ code, want }) => {
    expect(providerFailure('twilio', code, 'refused').code).toBe(want);
  });

  it('says something even when the provider said nothing', () => {
    expect(providerFailure('jambonz', '500', '  ').message).toBe('no reason given');
  });
});

describe('parseFailure', () => {
  it.each([
    { json: null, want: null },
    { json: 'not json', want: null },
    { json: 'null', want: null },
    { json: '{"code":"1"}', want: null },
    { json: '{"provider":"sip","code":"486","message":"Busy Here"}', want: { provider: 'sip', code: '486', message: 'Busy Here' } },
    { json: '{"provider":"twilio","code":7,"message":"x"}', want: { provider: 'twilio', code: null, message: 'x' } },
  ])('$json', ({ json, want }) => {
    expect(parseFailure(json)).toEqual(want);
  });
});
