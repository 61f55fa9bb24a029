import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sippUas } from '../support/sipp';
import { EventClient } from '../support/ws-client';

/**
 * Customers calling in over SIP: SIPp plays the caller on the trunk and the agent's phone, against
 * a real drachtio-server of this suite's own (drachtio-server hands an inbound INVITE to any app
 * connected to it, so the other SIP suites' gateways must not share it): .ci/run starts it and
 * exports DRACHTIO_INBOUND_HOST/PORT/SECRET/SIP_PORT. SIPp ports 5391-5399.
 */
const describeWithInboundDrachtio = describeIfEnv('DRACHTIO_INBOUND_HOST');

const ACME = '+14155550100';
const CALLER_PORT = 5391;
const AGENT_PORT = 5392;
const STRANGER_PORT = 5393;
const BOB_PORT = 5394;
const FAST = '+14155550200';
const SCENARIOS = join(__dirname, '..', 'sipp');

/** SIPp as a UAC: one call of `scenario` to drachtio-server's SIP port, dialling `service`, from `address`. */
function sippUac(scenario: string, address: string, port: number, service: string): Promise<void> {
  const target = `127.0.0.1:${process.env.DRACHTIO_INBOUND_SIP_PORT ?? 5082}`;
  const child = spawn('sipp', [target, '-sf', join(SCENARIOS, scenario), '-s', service, '-i', address, '-p', String(port),
    '-m', '1', '-nostdin', '-timeout', '30s', '-timeout_error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(err));
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sipp ${scenario} exited ${code ?? signal}:\n${output}`))));
  });
}

describeWithInboundDrachtio('inbound calls over SIP (real drachtio-server, SIPp caller and agent phone)', () => {
  let gw: TestGateway;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: [ACME], voiceProvider: 'sip', agents: [{ id: 'alice', endpoint: `sip:alice@127.0.0.1:${AGENT_PORT}` }] },
        // Rings out on an agent after one second (RONA).
        { id: 'fast', numbers: [FAST], voiceProvider: 'sip', ringNoAnswerSeconds: 1, agents: [{ id: 'bob', endpoint: `sip:bob@127.0.0.1:${BOB_PORT}` }] },
      ],
      routing: { ringNoAnswerSweepMs: 100 },
      providers: {
        drachtio: { host: process.env.DRACHTIO_INBOUND_HOST!, port: Number(process.env.DRACHTIO_INBOUND_PORT ?? 9023), secret: process.env.DRACHTIO_INBOUND_SECRET ?? 'cymru' },
        sipTrunkUri: 'sip:127.0.0.1:5399',
        sipTrunkAddresses: ['127.0.0.1'],
      },
    });
    // Connected to drachtio-server (readiness) before any INVITE is sent.
    for (let i = 0; i < 100 && (await gw.request('GET', '/health/ready', { token: null })).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const eventsOf = async (tenantId: string, callId: string) =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter(tenantId, 0, 100_000)).filter((e) => e.interactionId === callId);
  /** An agent's socket on their topic and the queue, once presence shows them online. */
  const online = async (tenantId: string, agentId: string): Promise<EventClient> => {
    const client = await EventClient.connect(gw.url, await gw.token({ tenantId, agentId }));
    clients.push(client);
    client.send({ op: 'subscribe', topics: [`agent:${agentId}`, 'queue'] });
    await client.next((f) => f.op === 'subscribed');
    const supervisor = await gw.token({ tenantId, agentId: 'sam', roles: ['supervisor'] });
    for (let i = 0; i < 100; i++) {
      const list = await gw.request('GET', '/v1/agents', { token: supervisor });
      if ((list.body.items as Array<{ agentId: string }>).some((a) => a.agentId === agentId)) return client;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${agentId} never came online`);
  };

  it('a known customer with an open chat calls from the trunk: ringback, the call rings on their agent, who answers; the device is bridged (B2BUA), hold works, and a hangup releases both', async () => {
    const token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const alice = await online('acme', 'alice');
    const conv = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155553901' }, chat: { sessionId: 'sip-in-1' } } });
    expect(conv.status).toBe(201);

    const agentPhone = sippUas('inbound-agent.xml', '127.0.0.1', AGENT_PORT);
    await new Promise((r) => setTimeout(r, 300)); // let SIPp bind
    const caller = sippUac('inbound-caller-held.xml', '127.0.0.1', CALLER_PORT, ACME);
    const ring = await alice.next((f) => f.event?.type === 'call.incoming', 10_000);
    expect(ring.event).toMatchObject({ conversationId: conv.body.id, data: { provider: 'sip', from: '+14155553901', to: ACME, offeredTo: 'alice', direction: 'inbound' } });
    const callId = ring.event!.interactionId as string;
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token })).body).toMatchObject({ state: 'ringing', direction: 'inbound' });

    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: `sip:alice@127.0.0.1:${AGENT_PORT}` });
    // Hold re-INVITEs the caller with the agent's description set inactive (SIPp checks a=inactive).
    expect((await gw.request('POST', `/v1/calls/${callId}/hold`, { token })).body.state).toBe('held');
    const hungUp = await gw.request('POST', `/v1/calls/${callId}/hangup`, { token });
    expect(hungUp.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await Promise.all([caller, agentPhone.done]); // both got their BYE and answered it
    expect((await eventsOf('acme', callId)).map((e) => e.type)).toEqual(['call.incoming', 'call.accepted', 'call.answered', 'call.held', 'call.ended']);
  }, 40_000);

  it('refuses an INVITE from an address that is not the trunk with 403, and records nothing', async () => {
    const db = gw.app.get<DatabaseHandle>(DATABASE).db;
    const before = (await db.selectFrom('interactions').select('id').execute()).length;
    await sippUac('inbound-refused.xml', '127.0.0.2', STRANGER_PORT, ACME);
    expect((await db.selectFrom('interactions').select('id').execute()).length).toBe(before);
  }, 40_000);

  it('answers a call to a number no tenant owns with 404', async () => {
    await sippUac('inbound-unknown.xml', '127.0.0.1', CALLER_PORT, '+14155550999');
  }, 40_000);

  it('a caller who hangs up while waiting (CANCEL) gets 487, and the call ends canceled', async () => {
    const watch = await online('acme', 'alice');
    const from = watch.frames.length;
    const caller = sippUac('inbound-caller-cancels.xml', '127.0.0.1', CALLER_PORT, ACME);
    const ring = await watch.next((f) => f.event?.type === 'call.incoming', 10_000, from);
    await caller;
    const callId = ring.event!.interactionId as string;
    const ended = await watch.next((f) => f.event?.type === 'call.ended' && f.event.interactionId === callId, 10_000, from);
    expect(ended.event!.data).toMatchObject({ state: 'ended', endReason: 'canceled', direction: 'inbound' });
  }, 40_000);

  it('no answer: the call rings out on its agent (RONA), goes back to the queue, and the next agent answers on their phone', async () => {
    const erin = await online('fast', 'erin');
    const bob = await online('fast', 'bob');
    const erinToken = await gw.token({ tenantId: 'fast', agentId: 'erin' });
    const conv = await gw.request('POST', '/v1/conversations', { token: erinToken, body: { contact: { phone: '+14155553901' } } });
    expect(conv.status).toBe(201);
    const bobPhone = sippUas('inbound-agent.xml', '127.0.0.1', BOB_PORT);
    await new Promise((r) => setTimeout(r, 300)); // let SIPp bind
    const bobFrom = bob.frames.length;
    const caller = sippUac('inbound-caller.xml', '127.0.0.1', CALLER_PORT, FAST);
    const ring = await erin.next((f) => f.event?.type === 'call.incoming' && f.event.data.offeredTo === 'erin', 10_000);
    const callId = ring.event!.interactionId as string;
    await bob.next((f) => f.event?.type === 'call.requeued' && f.event.interactionId === callId, 10_000, bobFrom);
    await erin.next((f) => f.event?.type === 'agent.status' && f.event.data.status === 'away', 10_000);
    const bobToken = await gw.token({ tenantId: 'fast', agentId: 'bob' });
    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: bobToken });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: `sip:bob@127.0.0.1:${BOB_PORT}` });
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: bobToken });
    await Promise.all([caller, bobPhone.done]);
    expect((await eventsOf('fast', callId)).map((e) => e.type)).toEqual(['call.incoming', 'call.requeued', 'call.accepted', 'call.answered', 'call.ended']);
  }, 40_000);

  it("a device that refuses (486) leaves the caller waiting: that answer gets 502, the call is back in the queue, and another agent's phone takes it", async () => {
    const admin = await gw.token({ tenantId: 'acme', agentId: 'root', roles: ['admin'] });
    expect((await gw.request('PUT', '/v1/agents/bob/device', { token: admin, body: { endpoint: `sip:bob@127.0.0.1:${BOB_PORT}` } })).status).toBe(200);
    await online('acme', 'bob');
    const watch = await online('acme', 'alice'); // the caller's conversation is alice's: it rings on her
    const from = watch.frames.length;
    const busyPhone = sippUas('inbound-agent-busy.xml', '127.0.0.1', AGENT_PORT);
    const bobPhone = sippUas('inbound-agent.xml', '127.0.0.1', BOB_PORT);
    await new Promise((r) => setTimeout(r, 300)); // let SIPp bind
    const caller = sippUac('inbound-caller.xml', '127.0.0.1', CALLER_PORT, '+14155550100');
    const ring = await watch.next((f) => f.event?.type === 'call.incoming', 10_000, from);
    const callId = ring.event!.interactionId as string;
    const alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const refused = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: alice });
    expect(refused.status).toBe(502);
    await busyPhone.done;
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: alice })).body.state).toBe('ringing');
    const bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: bob });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: `sip:bob@127.0.0.1:${BOB_PORT}` });
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: bob });
    await Promise.all([caller, bobPhone.done]);
  }, 40_000);
});
