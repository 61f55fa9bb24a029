import { TELNYX_MEDIA_PREFIXES, TelnyxSmsProvider } from './telnyx.sms';
import sendAnswer from './__fixtures__/send-answer.json';

describe('Telnyx media policy', () => {
  const provider = (mediaPrefixes?: string[]) => new TelnyxSmsProvider({ apiKey: 'k', apiBaseUrl: 'https://api.telnyx.com', mediaPrefixes });

  it.each([
    ['its API host (the key would go along)', 'https://api.telnyx.com/v2/messages'],
    ['another bucket', 'https://evil.s3.us-east-1.amazonaws.com/a.jpg'],
    ['a look-alike prefix', 'https://tlnx-mms-media.s3.us-east-1.amazonaws.com.evil.example/a.jpg'],
    ['a private address', 'http://169.254.169.254/latest/meta-data/'],
  ])('fetches nothing from %s', (_name, url) => {
    expect(provider().fetchMedia(url, 'GET')).toBeUndefined();
  });

  it('admits only configured prefixes once they replace the default', () => {
    expect(TELNYX_MEDIA_PREFIXES.every((p) => p.startsWith('https://') && p.endsWith('/'))).toBe(true);
    expect(provider(['https://media.example.net/mms/']).fetchMedia(`${TELNYX_MEDIA_PREFIXES[0]}a.jpg`, 'HEAD')).toBeUndefined();
  });
});

describe('Telnyx send', () => {
  const provider = new TelnyxSmsProvider({ apiKey: 'KEY01', apiBaseUrl: 'https://api.telnyx.test/', messagingProfileId: 'p1' });
  const message = { interactionId: 'm1', from: '+14155550100', to: '+14155552680', body: 'Your summary', mediaUrls: [], statusCallbackUrl: 'https://gw.example/webhooks/telnyx/sms?mid=m1&sig=s' };
  const answer = (status: number, body: unknown) => jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  afterEach(() => jest.restoreAllMocks());

  it('posts the documented body with the bearer key and reads the answer', async () => {
    const fetch = answer(200, sendAnswer);
    await expect(provider.send(message)).resolves.toEqual({ providerRef: sendAnswer.data.id, state: 'queued' });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('https://api.telnyx.test/v2/messages');
    expect(init?.headers).toMatchObject({ authorization: 'Bearer KEY01', 'content-type': 'application/json' });
    expect(JSON.parse(init?.body as string)).toEqual({
      from: '+14155550100', to: '+14155552680', text: 'Your summary', webhook_url: message.statusCallbackUrl, use_profile_webhooks: false, messaging_profile_id: 'p1',
    });
  });

  it('sends media without text as media_urls alone', async () => {
    const fetch = answer(200, sendAnswer);
    await provider.send({ ...message, body: '', mediaUrls: ['https://cdn.example/a.jpg'] });
    expect(JSON.parse(fetch.mock.calls[0]![1]?.body as string)).toMatchObject({ media_urls: ['https://cdn.example/a.jpg'] });
    expect(JSON.parse(fetch.mock.calls[0]![1]?.body as string)).not.toHaveProperty('text');
  });

  it.each<[string, number, unknown, string | null]>([
    ['an error answer, with its code and detail', 422, { errors: [{ code: '40305', title: 'Invalid from address', detail: 'The from address is not on the profile.' }] }, '40305'],
    ['an error answer without errors, with its HTTP status', 503, {}, '503'],
    ['a success without an id', 200, { data: {} }, null],
  ])('refuses on %s', async (_name, status, body, code) => {
    answer(status, body);
    await expect(provider.send(message)).rejects.toMatchObject({ name: 'ProviderError', code });
  });
});
