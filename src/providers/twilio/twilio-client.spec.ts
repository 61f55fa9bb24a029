import { VoiceProviderError } from '../voice-provider.port';
import { attempt } from './twilio-client';

/** How a failed Twilio request is classified for failover: Twilio's code, and whether Twilio certainly did not take it. */
describe('attempt (Twilio voice requests)', () => {
  const refusal = (error: unknown) => attempt('place the call', () => Promise.reject(error)).catch((e: unknown) => e as VoiceProviderError);

  it.each([
    { case: 'a 4xx RestException', error: { status: 400, code: 21211, message: "Invalid 'To' Phone Number" }, code: '21211', retryable: false },
    { case: 'a 5xx RestException', error: { status: 503, code: 20503, message: 'Service Unavailable' }, code: '20503', retryable: true },
    { case: 'a 5xx without a Twilio code', error: { status: 502, message: 'Bad Gateway' }, code: '502', retryable: true },
    { case: 'no answer at all', error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), code: null, retryable: true },
    { case: 'no answer in time', error: Object.assign(new Error('timeout of 30000ms exceeded'), { code: 'ECONNABORTED' }), code: null, retryable: true },
  ])('$case → code $code, retryable $retryable', async ({ error, code, retryable }) => {
    const refused = await refusal(error);
    expect(refused).toBeInstanceOf(VoiceProviderError);
    expect(refused).toMatchObject({ code, retryable, unsupported: false });
    expect(refused.message).toMatch(/^twilio could not place the call: /);
  });

  it('passes its own refusals through unchanged', async () => {
    const own = new VoiceProviderError('conference call-1 is not in progress');
    expect(await refusal(own)).toBe(own);
  });
});
