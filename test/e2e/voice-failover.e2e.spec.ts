import { CallsService } from '../../src/calls/calls.service';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const PUBLIC = 'https://gateway.example.com';
const TWILIO_NUMBER = '+14155550100';
const JAMBONZ_NUMBER = '+14155550111';
const AGENT = 'sip:1001@pbx.example';

type CallBody = {
  id: string; provider: string; providerRef: string | null; state: string; endReason: string | null; callerId: string; from: string;
  attempts: Array<{ provider: string; error: string | null; code: string | null }>;
  failure: { provider: string; code: string | null; message: string } | null;
};

/**
 * Provider failover for click-to-call: the tenant lists Twilio then jambonz, and says which
 * provider owns each of its numbers. A call Twilio could not take (a 5xx, or no connection) is
 * placed once through jambonz, from the number jambonz owns, and is jambonz's from then on: its
 * signed hooks move it, its controls go there, Twilio's answer hook hangs up. A call Twilio refused
 * (4xx), or accepted and then failed, is never placed again; its failure shows on the call.
 */
describe('voice provider failover', () => {
  const twilio = new FakeTwilio();
  const jambonz = new FakeJambonz();
  let line: TcpProxy;
  let gw: TestGateway;
  let agent: string;
  let admin: string;
  let seq = 0;

  beforeAll(async () => {
    await twilio.start();
    await jambonz.start();
    // Twilio is reached through a proxy the test can cut: a connection refused, not an HTTP answer.
    line = await startTcpProxy('127.0.0.1', Number(new URL(twilio.url).port));
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{
        id: 'acme', numbers: [TWILIO_NUMBER, JAMBONZ_NUMBER], numberProviders: { [TWILIO_NUMBER]: 'twilio', [JAMBONZ_NUMBER]: 'jambonz' },
        defaultRegion: 'US', voiceProviders: ['twilio', 'jambonz'], ringTimeoutSeconds: 30,
      }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: `http://127.0.0.1:${line.port}` }, ...jambonz.providers() },
    });
    agent = await gw.token({ tenantId: 'acme' });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    // Which provider owns each number, from the YAML seed, as the admin API shows (and changes) it.
    const tenant = await gw.request('GET', '/v1/admin/tenants/acme', { token: admin });
    expect(tenant.body.numbers).toEqual([{ number: TWILIO_NUMBER, provider: 'twilio' }, { number: JAMBONZ_NUMBER, provider: 'jambonz' }]);
  });
  afterAll(async () => {
    await gw.close();
    await line.stop().catch(() => undefined);
    await twilio.stop();
    await jambonz.stop();
  });

  const signed = (path: string, params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, params);
  /** Places a call to a new customer; answers the call as GET /v1/calls/:id reads it. */
  const place = async (): Promise<{ call: CallBody; to: string }> => {
    seq += 1;
    const to = `+1415555${String(2700 + seq).padStart(4, '0')}`;
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone: to } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: agent, body: { agentEndpoint: AGENT } });
    expect(placed.status).toBe(202);
    const read = await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: agent });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(placed.body);
    return { call: read.body as CallBody, to };
  };
  const twilioCallsTo = (to: string) => twilio.voice.filter((r) => r.path.endsWith('/Calls.json') && r.params.get('To') === to);
  const jambonzCallsTo = (to: string) => jambonz.calls.filter((c) => (c.body.to as { number: string }).number === to);

  it('places the call through the first provider when it takes it, and records that one attempt', async () => {
    const { call, to } = await place();
    expect(twilioCallsTo(to)).toHaveLength(1);
    expect(jambonzCallsTo(to)).toHaveLength(0);
    expect(twilioCallsTo(to)[0]!.params.get('From')).toBe(TWILIO_NUMBER);
    expect(call).toMatchObject({ provider: 'twilio', state: 'initiating', callerId: TWILIO_NUMBER, failure: null,
      attempts: [{ provider: 'twilio', error: null, code: null }] });
  });

  it('fails over once to the second provider on a 5xx, from the number it owns; the call is its alone from then on', async () => {
    twilio.refuseNextCall = { code: 20500, status: 503, message: 'Service Unavailable' };
    const { call, to } = await place();
    expect(twilioCallsTo(to)).toHaveLength(0);
    const placed = jambonzCallsTo(to);
    expect(placed).toHaveLength(1);
    expect(placed[0]!.body).toMatchObject({
      from: JAMBONZ_NUMBER,
      call_hook: { url: signed('/webhooks/jambonz/call', { cid: call.id }), method: 'POST' },
      call_status_hook: { url: signed('/webhooks/jambonz/call/status', { cid: call.id }), method: 'POST' },
    });
    expect(call).toMatchObject({ provider: 'jambonz', providerRef: placed[0]!.sid, state: 'initiating', callerId: JAMBONZ_NUMBER, from: JAMBONZ_NUMBER,
      failure: null, attempts: [
        { provider: 'twilio', error: expect.stringContaining('Service Unavailable'), code: '20500' },
        { provider: 'jambonz', error: null, code: null },
      ] });

    // jambonz's signed hooks move the call; its answer hook dials the agent from jambonz's number.
    const status = (s: string) => jambonz.post(gw.url, signed('/webhooks/jambonz/call/status', { cid: call.id }).slice(PUBLIC.length),
      { call_sid: placed[0]!.sid, call_status: s, sip_status: 200, direction: 'outbound', account_sid: JAMBONZ_ACCOUNT });
    expect((await status('in-progress')).status).toBe(204);
    const hook = await jambonz.post(gw.url, signed('/webhooks/jambonz/call', { cid: call.id }).slice(PUBLIC.length), { call_sid: placed[0]!.sid, call_status: 'in-progress' });
    const verbs = JSON.parse(hook.text) as unknown[];
    expect(verbs).toHaveLength(1);
    expect(verbs[0]).toMatchObject({ verb: 'dial', callerId: JAMBONZ_NUMBER, target: [{ type: 'sip', sipUri: AGENT }] });
    expect((await gw.request('GET', `/v1/calls/${call.id}`, { token: agent })).body.state).toBe('answered');

    // Twilio's hooks for this call are not Twilio's any more: its answer hook hangs up, its reports change nothing.
    const stray = { CallSid: `CA${'1'.repeat(32)}`, CallStatus: 'in-progress', AccountSid: TWILIO_SID };
    const answer = await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice', { cid: call.id }).slice(PUBLIC.length), stray);
    expect(answer.text).toContain('<Hangup/>');
    await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice/status', { cid: call.id }).slice(PUBLIC.length), { ...stray, CallStatus: 'completed' });
    expect((await gw.request('GET', `/v1/calls/${call.id}`, { token: agent })).body.state).toBe('answered');

    // Control commands go to the provider that has the call.
    const muted = await gw.request('POST', `/v1/calls/${call.id}/mute`, { token: agent });
    expect(muted.status).toBe(200);
    expect(jambonz.updates.at(-1)).toEqual({ sid: placed[0]!.sid, body: { mute_status: 'mute' } });
    const hangup = await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: agent });
    expect(hangup.body.state).toBe('ended');
    expect(jambonz.updates.at(-1)).toEqual({ sid: placed[0]!.sid, body: { call_status: 'completed' } });
  });

  it('never fails over on a 4xx: the call fails at the first provider with its error code, and the second never sees it', async () => {
    twilio.refuseNextCall = { code: 21211, status: 400, message: "Invalid 'To' Phone Number" };
    const { call, to } = await place();
    expect(twilioCallsTo(to)).toHaveLength(0);
    expect(jambonzCallsTo(to)).toHaveLength(0);
    expect(call).toMatchObject({ provider: 'twilio', state: 'failed', endReason: 'failed',
      failure: { provider: 'twilio', code: '21211', message: expect.stringContaining("Invalid 'To' Phone Number") },
      attempts: [{ provider: 'twilio', error: expect.stringContaining("Invalid 'To' Phone Number"), code: '21211' }] });
  });

  it('never fails over once the provider accepted the call: a failure it reports later ends the call with its SIP code', async () => {
    const { call, to } = await place();
    const created = twilioCallsTo(to);
    expect(created).toHaveLength(1);
    const report = await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice/status', { cid: call.id }).slice(PUBLIC.length), {
      CallSid: call.providerRef!, CallStatus: 'failed', SipResponseCode: '503', AccountSid: TWILIO_SID,
    });
    expect(report.status).toBe(204);
    const read = (await gw.request('GET', `/v1/calls/${call.id}`, { token: agent })).body as CallBody;
    expect(read).toMatchObject({ provider: 'twilio', state: 'failed', failure: { provider: 'twilio', code: '503', message: '503 Service Unavailable' },
      attempts: [{ provider: 'twilio', error: null, code: null }] });
    expect(jambonzCallsTo(to)).toHaveLength(0);
    expect(twilioCallsTo(to)).toHaveLength(1);
  });

  it('keeps the reason of a busy customer from the provider that has the call (jambonz sip_status and sip_reason)', async () => {
    twilio.refuseNextCall = { code: 20500, status: 500, message: 'Internal Server Error' };
    const { call } = await place();
    expect(call.provider).toBe('jambonz');
    const busy = await jambonz.post(gw.url, signed('/webhooks/jambonz/call/status', { cid: call.id }).slice(PUBLIC.length),
      { call_sid: call.providerRef, call_status: 'busy', sip_status: 486, sip_reason: 'Busy Here', direction: 'outbound', account_sid: JAMBONZ_ACCOUNT });
    expect(busy.status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${call.id}`, { token: agent })).body).toMatchObject({
      state: 'ended', endReason: 'busy', failure: { provider: 'jambonz', code: '486', message: '486 Busy Here' },
    });
  });

  it('fails the call when the second provider refuses too: one attempt each, the failure is the second one’s', async () => {
    twilio.refuseNextCall = { code: 20503, status: 503, message: 'Service Unavailable' };
    jambonz.refuseNextCall = { status: 400, msg: 'invalid from number' };
    const { call, to } = await place();
    expect(twilioCallsTo(to)).toHaveLength(0);
    expect(jambonzCallsTo(to)).toHaveLength(0);
    expect(call).toMatchObject({ provider: 'jambonz', state: 'failed', failure: { provider: 'jambonz', code: '400', message: expect.stringContaining('invalid from number') },
      attempts: [
        { provider: 'twilio', error: expect.stringContaining('Service Unavailable'), code: '20503' },
        { provider: 'jambonz', error: expect.stringContaining('invalid from number'), code: '400' },
      ] });
  });

  it('skips the next provider when it owns none of the numbers, saying why; the first one’s failure stays', async () => {
    const moved = await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(JAMBONZ_NUMBER)}`, { token: admin, body: { provider: 'twilio' } });
    expect(moved.status).toBe(200);
    try {
      twilio.refuseNextCall = { code: 20500, status: 502, message: 'Bad Gateway' };
      const { call, to } = await place();
      expect(jambonzCallsTo(to)).toHaveLength(0);
      expect(call).toMatchObject({ provider: 'twilio', state: 'failed', callerId: TWILIO_NUMBER, failure: { provider: 'twilio', code: '20500' }, attempts: [
        { provider: 'twilio', error: expect.stringContaining('Bad Gateway'), code: '20500' },
        { provider: 'jambonz', error: "skipped: the caller ID belongs to twilio and none of the tenant's numbers belongs to jambonz", code: 'skipped' },
      ] });
    } finally {
      await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(JAMBONZ_NUMBER)}`, { token: admin, body: { provider: 'jambonz' } });
    }
  });

  it('fails over once when the first provider does not answer in time, and hangs up the call it places late', async () => {
    const calls = gw.app.get(CallsService);
    const deadline = calls.placeDeadlineMs;
    calls.placeDeadlineMs = 300;
    try {
      twilio.delayNextCallMs = 800;
      const { call, to } = await place();
      expect(jambonzCallsTo(to)).toHaveLength(1);
      expect(call).toMatchObject({ provider: 'jambonz', attempts: [
        { provider: 'twilio', error: 'twilio did not answer in 300 ms', code: null }, { provider: 'jambonz', error: null, code: null },
      ] });
      // Twilio makes the call after all: the gateway completes that call at once.
      const completed = () => twilio.voice.filter((r) => r.params.get('Status') === 'completed').map((r) => r.path.split('/').at(-1));
      const until = Date.now() + 3000;
      while (completed().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const late = twilioCallsTo(to);
      expect(late).toHaveLength(1);
      expect(completed()).toHaveLength(1);
      expect((await gw.request('GET', `/v1/calls/${call.id}`, { token: agent })).body).toMatchObject({ provider: 'jambonz', providerRef: jambonzCallsTo(to)[0]!.sid });
    } finally {
      calls.placeDeadlineMs = deadline;
    }
  });

  it('fails over once when the first provider cannot be reached at all (connection refused)', async () => {
    await line.stop();
    const { call, to } = await place();
    const placed = jambonzCallsTo(to);
    expect(placed).toHaveLength(1);
    expect(call).toMatchObject({ provider: 'jambonz', providerRef: placed[0]!.sid, state: 'initiating', attempts: [
      { provider: 'twilio', error: expect.stringContaining('ECONNREFUSED'), code: null },
      { provider: 'jambonz', error: null, code: null },
    ] });
  });

  it('masks the failure like the rest of the answer for an agent of a masking tenant', async () => {
    const patched = await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { maskSensitiveData: true } } });
    expect(patched.status).toBe(200);
    try {
      jambonz.refuseNextCall = { status: 400, msg: 'cannot call +14155559876 from here' };
      // Twilio is still cut off: jambonz refuses the failed-over call, quoting a number.
      const { call } = await place();
      expect(call.failure).toMatchObject({ provider: 'jambonz', code: '400' });
      expect(call.failure!.message).toContain('cannot call');
      expect(call.failure!.message).not.toContain('+14155559876');
    } finally {
      await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { maskSensitiveData: false } } });
    }
  });
});
