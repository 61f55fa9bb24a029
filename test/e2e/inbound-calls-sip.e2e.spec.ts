import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { sippUac as sippCall, sippUas } from '../support/sipp';
import { EventClient } from '../support/ws-client';

/**
 * Customers calling in over SIP: SIPp plays the caller on the trunk, the agent's phone and a consulted
 * colleague (each scenario checks the SIP it receives, so a control that goes wrong fails), against
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
const CONSULTEE_PORT = 5395;
const FAST = '+14155550200';
/** A tenant with no customers yet: every caller is unknown and waits in the queue for a claim. */
const DESK = '+14155550300';
const DANA_PHONE = `sip:dana@127.0.0.1:${AGENT_PORT}`;

/** SIPp as a UAC: one call of `scenario` to drachtio-server's SIP port, dialling `service`, from `address`. */
const sippUac = (scenario: string, address: string, port: number, service: string): Promise<void> =>
  sippCall(scenario, `127.0.0.1:${process.env.DRACHTIO_INBOUND_SIP_PORT ?? 5082}`, service, address, port);

describeWithInboundDrachtio('inbound calls over SIP (real drachtio-server, SIPp caller and agent phone)', () => {
  let gw: TestGateway;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: [ACME], voiceProvider: 'sip', agents: [{ id: 'alice', endpoint: `sip:alice@127.0.0.1:${AGENT_PORT}` }] },
        // Rings out on an agent after one second (RONA).
        { id: 'fast', numbers: [FAST], voiceProvider: 'sip', ringNoAnswerSeconds: 1, agents: [{ id: 'bob', endpoint: `sip:bob@127.0.0.1:${BOB_PORT}` }] },
        { id: 'desk', numbers: [DESK], voiceProvider: 'sip', agents: [{ id: 'dana', endpoint: DANA_PHONE }] },
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
  // ── Controls on an inbound call: each phone's scenario checks what it receives (SDP directions and
  // media, INFO bodies, Refer-To, BYE), so a control that does not reach the right phone fails here.

  /** An unknown caller through the trunk, claimed from the queue by dana, whose phone takes the call. */
  const claimedByDana = async (callerScenario: string, agentScenario: string, others: Array<{ scenario: string; port: number }> = []) => {
    const dana = await online('desk', 'dana');
    const from = dana.frames.length;
    const phones = [sippUas(agentScenario, '127.0.0.1', AGENT_PORT), ...others.map((o) => sippUas(o.scenario, '127.0.0.1', o.port))];
    await new Promise((r) => setTimeout(r, 300)); // let SIPp bind
    const caller = sippUac(callerScenario, '127.0.0.1', CALLER_PORT, DESK);
    const ring = await dana.next((f) => f.event?.type === 'call.incoming', 10_000, from);
    const callId = ring.event!.interactionId as string;
    const conversationId = ring.event!.conversationId as string;
    const token = await gw.token({ tenantId: 'desk', agentId: 'dana' });
    const claimed = await gw.request('POST', `/v1/calls/${callId}/answer`, { token });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ state: 'answered', direction: 'inbound', agentEndpoint: DANA_PHONE });
    const post = (path: string, body?: object) => gw.request('POST', `/v1/calls/${callId}/${path}`, { token, body });
    return { dana, from, ring, callId, conversationId, token, post, phones: Promise.all([caller, ...phones.map((p) => p.done)]) };
  };

  it('an unknown caller opens a new conversation in the queue and is answered by a claim; hold, resume, mute, unmute and DTMF reach the phones, and the hangup ends it completed for wrap-up', async () => {
    const { ring, callId, conversationId, token, post, phones } = await claimedByDana('inbound-caller-controls.xml', 'inbound-agent-muted.xml');
    expect(ring.topic).toBe('queue');
    expect(ring.event!.data).toMatchObject({ provider: 'sip', from: '+14155553977', to: DESK, offeredTo: null, direction: 'inbound' });
    const created = (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('desk', 0, 100_000))
      .find((e) => e.type === 'conversation.created' && e.conversationId === conversationId);
    expect(created?.data).toMatchObject({ channel: 'voice', assignment: { agentId: null, via: 'queue' } });
    expect((await gw.request('GET', `/v1/conversations/${conversationId}`, { token })).body.agentId).toBe('dana'); // the claim assigned it

    // hold and resume re-INVITE the caller (inactive, sendrecv); mute and unmute the agent's phone (sendonly, sendrecv).
    expect((await post('hold')).body.state).toBe('held');
    expect((await post('resume')).body.state).toBe('answered');
    expect((await post('mute')).body.muted).toBe(true);
    expect((await post('unmute')).body.muted).toBe(false);
    expect((await post('dtmf', { digits: '1#' })).status).toBe(200); // two INFOs to the caller
    const hungUp = await post('hangup');
    expect(hungUp.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await phones; // every phone got what its scenario checks, and the BYE
    expect((await eventsOf('desk', callId)).map((e) => e.type)).toEqual(
      ['call.incoming', 'call.accepted', 'call.answered', 'call.held', 'call.resumed', 'call.muted', 'call.unmuted', 'call.ended']);
    expect((hungUp.body.steps as Array<{ kind: string }>).map((s) => s.kind)).toEqual(['held', 'resumed', 'muted', 'unmuted', 'dtmf_sent']);
    // Nothing live is left: the conversation waits for its wrap-up, as after an outbound call.
    expect((await gw.request('GET', `/v1/conversations/${conversationId}`, { token })).body.status).toBe('wrap-up');
    const closed = await gw.request('POST', `/v1/conversations/${conversationId}/wrap-up`, { token, body: { disposition: 'resolved' } });
    expect(closed.body.status).toBe('closed');
  }, 40_000);

  it('blind transfer of an inbound call: the caller gets a REFER to the target in its dialog; its BYE then ends the call completed and releases the agent\'s phone', async () => {
    const { dana, from, callId, token, post, phones } = await claimedByDana('inbound-caller-transferred.xml', 'inbound-agent.xml');
    const transferred = await post('transfer', { to: 'sip:frontdesk@127.0.0.1:5396' });
    expect(transferred.status).toBe(200);
    expect(transferred.body.state).toBe('answered'); // until the caller leaves for the target
    await phones;
    const ended = await dana.next((f) => f.event?.type === 'call.ended' && f.event.interactionId === callId, 10_000, from);
    expect(ended.event!.data).toMatchObject({ state: 'ended', endReason: 'completed', direction: 'inbound' });
    const view = (await gw.request('GET', `/v1/calls/${callId}`, { token })).body;
    expect(view).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect((view.steps as Array<{ kind: string; to?: string }>).map((s) => [s.kind, s.to])).toEqual([['transferred', 'sip:frontdesk@127.0.0.1:5396']]);
  }, 40_000);

  it('consult on an inbound call, then complete: the caller holds while the agent talks to the colleague, is handed over to the colleague\'s phone, and the wrap-up BYEs caller and colleague', async () => {
    const { dana, from, callId, conversationId, token, post, phones } = await claimedByDana('inbound-caller-consulted.xml', 'inbound-agent-consults.xml',
      [{ scenario: 'inbound-consultee.xml', port: CONSULTEE_PORT }]);
    const colleague = `sip:carol@127.0.0.1:${CONSULTEE_PORT}`;
    const consulted = await post('consult', { to: colleague });
    expect(consulted.status).toBe(200);
    expect(consulted.body.state).toBe('held');
    await dana.next((f) => f.event?.type === 'call.participant.joined' && f.event.data.role === 'consultee', 10_000, from);
    const done = await post('consult/complete');
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('answered');
    expect((done.body.participants as Array<{ role: string; state: string; endpoint: string }>).map((p) => [p.role, p.state, p.endpoint]))
      .toEqual([['customer', 'connected', '+14155553979'], ['agent', 'left', DANA_PHONE], ['agent', 'connected', colleague]]);
    // The conversation's wrap-up hangs the live call up first: BYE to the caller and to the colleague, who has the call now.
    const closed = await gw.request('POST', `/v1/conversations/${conversationId}/wrap-up`, { token, body: { disposition: 'transferred' } });
    expect(closed.body.status).toBe('closed');
    await phones;
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
  }, 40_000);
  it('consult on an inbound call, then cancel: the colleague is BYEd, the agent\'s phone goes back onto the caller\'s media, and the caller is resumed with it', async () => {
    const { dana, from, post, phones } = await claimedByDana('inbound-caller-consult-cancelled.xml', 'inbound-agent-consult-cancelled.xml',
      [{ scenario: 'inbound-consultee-cancelled.xml', port: CONSULTEE_PORT }]);
    expect((await post('consult', { to: `sip:carol@127.0.0.1:${CONSULTEE_PORT}` })).body.state).toBe('held');
    await dana.next((f) => f.event?.type === 'call.participant.joined' && f.event.data.role === 'consultee', 10_000, from);
    const canceled = await post('consult/cancel');
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('answered');
    expect((canceled.body.participants as Array<{ role: string; state: string }>).map((p) => [p.role, p.state]))
      .toEqual([['customer', 'connected'], ['agent', 'connected'], ['consultee', 'left']]);
    expect((await post('hangup')).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await phones;
  }, 40_000);
});
