import { FakeJambonz } from '../../../test/support/fake-jambonz';
import { CallbackUrls } from '../callbacks/callback-urls';
import { VoiceProviderError, type CallRequest } from '../voice-provider.port';
import { JambonzVoiceProvider } from './jambonz.voice';

/**
 * How a call jambonz did not place is classified for failover, against the fake jambonz API: its
 * HTTP status as the code and its `{ msg }` as the reason; no answer or a 5xx means another
 * provider may place it, a 4xx never.
 */
describe('JambonzVoiceProvider.place refusals', () => {
  const fake = new FakeJambonz();
  let provider: JambonzVoiceProvider;
  const request = (): CallRequest => ({
    callId: 'c1', to: '+14155552671', agentEndpoint: 'sip:1001@pbx.example', callerId: '+14155550100',
    callbacks: new CallbackUrls('https://gw.example.com', 'secret'),
  });
  const refusal = () => provider.place(request()).then(() => undefined, (e: unknown) => e as VoiceProviderError);

  beforeAll(async () => {
    await fake.start();
    provider = new JambonzVoiceProvider(fake.providers().jambonz, new CallbackUrls('https://gw.example.com', 'secret'));
  });
  afterAll(() => fake.stop());

  it.each([
    { status: 400, msg: 'invalid from number', code: '400', retryable: false },
    { status: 404, msg: 'application not found', code: '404', retryable: false },
    { status: 503, msg: 'no feature servers available', code: '503', retryable: true },
  ])('a $status is code $code, retryable $retryable, saying jambonz’s reason', async ({ status, msg, code, retryable }) => {
    fake.refuseNextCall = { status, msg };
    const refused = await refusal();
    expect(refused).toBeInstanceOf(VoiceProviderError);
    expect(refused).toMatchObject({ code, retryable, message: `jambonz could not place the call: ${msg}` });
    expect(fake.calls).toHaveLength(0);
  });

  it('places the call when jambonz takes it', async () => {
    const handle = await provider.place(request());
    expect(fake.calls).toHaveLength(1);
    expect(handle).toMatchObject({ callId: 'c1', providerRef: fake.calls[0]!.sid });
  });

  it('is retryable with no code when jambonz cannot be reached', async () => {
    const gone = new JambonzVoiceProvider({ ...fake.providers().jambonz, apiBaseUrl: 'http://127.0.0.1:1' }, new CallbackUrls('https://gw.example.com', 'secret'));
    const refused = await gone.place(request()).then(() => undefined, (e: unknown) => e as VoiceProviderError);
    expect(refused).toMatchObject({ code: null, retryable: true });
    expect(refused!.message).toContain('ECONNREFUSED');
  });
});
