import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';

/**
 * jambonz signs only the body of a hook, never its URL. These are the attacks of a holder of one
 * tenant's signed hook body (at most 300 s old) on another tenant's records named in the URL.
 */
describe('callback URLs are bound to the record the gateway put into them', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'jambonz', smsProvider: 'jambonz' },
        { id: 'beta', numbers: ['+14155550200'], defaultRegion: 'US', voiceProvider: 'jambonz', smsProvider: 'jambonz' },
      ],
      providers: jambonz.providers(),
    });
    acme = await gw.token({ tenantId: 'acme' });
    beta = await gw.token({ tenantId: 'beta' });
  });
  afterAll(async () => {
    await gw.close();
    await jambonz.stop();
  });

  const path = (url: string) => url.slice(PUBLIC.length);
  const hookOf = (created: { body: Record<string, unknown> }, name: string) => path((created.body[name] as { url: string }).url);
  const callStatus = (sid: string, status: string) => ({ call_sid: sid, call_status: status, sip_status: 200, direction: 'outbound', account_sid: JAMBONZ_ACCOUNT });

  async function placeCall(token: string, phone: string) {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } });
    expect(placed.status).toBe(202);
    return { id: placed.body.id as string, created: jambonz.calls.at(-1)! };
  }

  async function sendMessage(token: string, phone: string) {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone } } });
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'hello' } });
    expect(sent.status).toBe(202);
    return { id: sent.body.id as string, created: jambonz.messages.at(-1)! };
  }

  it("refuses a tenant's signed call status aimed at another tenant's call, whatever its URL says", async () => {
    const a = await placeCall(acme, '+14155552601');
    const b = await placeCall(beta, '+14155552602');
    const aHook = hookOf(a.created, 'call_status_hook');
    const aSig = new URL(PUBLIC + aHook).searchParams.get('sig')!;
    const attempts = [
      `/webhooks/jambonz/call/status?cid=${b.id}`,
      `/webhooks/jambonz/call/status?cid=${b.id}&sig=${aSig}`,
      `${aHook}&cid=${b.id}`,
      hookOf(b.created, 'call_hook'), // B's answer-hook URL on the status route
    ];
    for (const url of attempts) {
      const res = await jambonz.post(gw.url, url.replace('/call?', '/call/status?'), callStatus(a.created.sid, 'in-progress'));
      expect([url, res.status]).toEqual([url, 403]);
    }
    const call = (await gw.request('GET', `/v1/calls/${b.id}`, { token: beta })).body;
    expect(call).toMatchObject({ state: 'initiating', providerRef: b.created.sid });
    // B's own hook still works, and the body's id must be B's.
    expect((await jambonz.post(gw.url, hookOf(b.created, 'call_status_hook'), callStatus(a.created.sid, 'in-progress'))).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${b.id}`, { token: beta })).body.state).toBe('initiating');
    expect((await jambonz.post(gw.url, hookOf(b.created, 'call_status_hook'), callStatus(b.created.sid, 'in-progress'))).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${b.id}`, { token: beta })).body).toMatchObject({ state: 'answered', providerRef: b.created.sid });
  });

  it('refuses an answer hook whose transfer target was not put there by the gateway', async () => {
    const a = await placeCall(acme, '+14155552603');
    const hook = hookOf(a.created, 'call_hook');
    const forged = await jambonz.post(gw.url, `${hook}&transfer=%2B19005550123`, callStatus(a.created.sid, 'in-progress'));
    expect(forged.status).toBe(403);
    const unsigned = await jambonz.post(gw.url, `/webhooks/jambonz/call?cid=${a.id}&transfer=%2B19005550123`, callStatus(a.created.sid, 'in-progress'));
    expect(unsigned.status).toBe(403);
    const real = await jambonz.post(gw.url, hook, callStatus(a.created.sid, 'in-progress'));
    expect(JSON.parse(real.text)[0].target).toEqual([{ type: 'user', name: 'alice' }]);
  });

  it("never takes a call's provider id from a hook, even one that races the provider's answer", async () => {
    const other = await placeCall(acme, '+14155552604');
    jambonz.beforeCreated = async (kind, created) => {
      if (kind !== 'call') return;
      // The gateway's own signed URL for the new call, carrying another call's signed body.
      const res = await jambonz.post(gw.url, hookOf(created, 'call_status_hook'), callStatus(other.created.sid, 'ringing'));
      expect(res.status).toBe(204);
    };
    try {
      const b = await placeCall(beta, '+14155552605');
      expect((await gw.request('GET', `/v1/calls/${b.id}`, { token: beta })).body.providerRef).toBe(b.created.sid);
    } finally {
      jambonz.beforeCreated = undefined;
    }
  });

  it("refuses a tenant's signed message status aimed at another tenant's message", async () => {
    const a = await sendMessage(acme, '+14155552606');
    const b = await sendMessage(beta, '+14155552607');
    const delivered = { message_sid: a.created.sid, message_status: 'delivered' };
    expect((await jambonz.post(gw.url, `/webhooks/jambonz/sms/status?mid=${b.id}`, delivered)).status).toBe(403);
    const aSig = new URL(PUBLIC + hookOf(a.created, 'message_status_hook')).searchParams.get('sig')!;
    expect((await jambonz.post(gw.url, `/webhooks/jambonz/sms/status?mid=${b.id}&sig=${aSig}`, delivered)).status).toBe(403);
    expect((await gw.request('GET', `/v1/messages/${b.id}`, { token: beta })).body).toMatchObject({ state: 'sending', providerRef: b.created.sid });
    // B's real status is not blocked.
    expect((await jambonz.post(gw.url, hookOf(b.created, 'message_status_hook'), { message_sid: b.created.sid, message_status: 'delivered' })).status).toBe(204);
    expect((await gw.request('GET', `/v1/messages/${b.id}`, { token: beta })).body.state).toBe('delivered');
  });

  it("never takes a message's provider id from a status hook that races the provider's answer", async () => {
    const other = await sendMessage(acme, '+14155552608');
    jambonz.beforeCreated = async (kind, created) => {
      if (kind !== 'message') return;
      await jambonz.post(gw.url, hookOf(created, 'message_status_hook'), { message_sid: other.created.sid, message_status: 'sent' });
    };
    try {
      const b = await sendMessage(beta, '+14155552609');
      expect((await gw.request('GET', `/v1/messages/${b.id}`, { token: beta })).body.providerRef).toBe(b.created.sid);
      // and the other message's real status hook still reaches the other message only
      expect((await jambonz.post(gw.url, hookOf(other.created, 'message_status_hook'), { message_sid: other.created.sid, message_status: 'delivered' })).status).toBe(204);
      expect((await gw.request('GET', `/v1/messages/${other.id}`, { token: acme })).body.state).toBe('delivered');
    } finally {
      jambonz.beforeCreated = undefined;
    }
  });
});
