import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('rate limits and the compose limit', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: 'https://gateway.example.com' },
      rateLimits: { apiPerSecond: 0.5, apiBurst: 3, webhookPerSecond: 0.5, webhookBurst: 2 },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], maxComposeLength: 1000, smsProvider: 'simulator' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  it('answers a token past its rate with 429 and Retry-After; another token is not affected', async () => {
    const token = await gw.token({ tenantId: 'acme', agentId: 'busy' });
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await gw.request('GET', '/v1/conversations', { token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await gw.request('GET', '/v1/conversations', { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await gw.request('GET', '/v1/conversations', { token: await gw.token({ tenantId: 'acme', agentId: 'other' }) })).status).toBe(200);
  });

  // Twilio does not retry an inbound SMS: a 429 to a correctly signed one would lose the message.
  it('never limits correctly signed webhooks, and answers a source of refused ones past its rate with 429', async () => {
    const params = () => ({ MessageSid: `SM${hex()}`, From: '+14155552671', To: '+14155550100', Body: 'hi', AccountSid: TWILIO_SID });
    const signed = [];
    for (let n = 0; n < 6; n++) signed.push((await twilio.post(gw.url, 'https://gateway.example.com', '/webhooks/twilio/sms', params())).status);
    expect(signed).toEqual([200, 200, 200, 200, 200, 200]);
    const forged = [];
    for (let n = 0; n < 3; n++) forged.push((await twilio.post(gw.url, 'https://gateway.example.com', '/webhooks/twilio/sms', params(), 'Zm9yZ2Vk')).status);
    expect(forged).toEqual([403, 403, 429]);
    // The limited source's signed webhooks still get through.
    expect((await twilio.post(gw.url, 'https://gateway.example.com', '/webhooks/twilio/sms', params())).status).toBe(200);
  });

  it("refuses a typed SMS longer than the tenant's compose limit with 422", async () => {
    const token = await gw.token({ tenantId: 'acme', agentId: 'composer' });
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552672' } } });
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'x'.repeat(1001) } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'body', message: "must be at most 1000 characters (this tenant's compose limit)" }]);
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'x'.repeat(1000) } })).status).toBe(202);
  });
});
