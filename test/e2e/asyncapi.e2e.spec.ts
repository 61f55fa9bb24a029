import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_TYPES } from '../../src/events/domain/event-catalogue';
import { buildAsyncApiDocument } from '../../src/openapi/asyncapi.builder';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

/* eslint-disable @typescript-eslint/no-explicit-any */

const NUMBER = '+14155550100';
const CUSTOMER = '+14155552671';
const NEWCOMER = '+14155552690';

/**
 * `GET /asyncapi.json` against the wire: a supervisor's socket on the `tenant` topic watches a
 * conversation go through every kind of event the gateway publishes, and every frame it receives
 * must be valid against the served document's message of its type (or op).
 */
describe('the AsyncAPI document, served and checked against real frames', () => {
  let gw: TestGateway;
  let document: any;
  let watch: EventClient;
  const clients: EventClient[] = [];
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [{ id: 'acme', numbers: [NUMBER], inboundRouting: 'queue', unattendedAlertSeconds: 1, ringNoAnswerSeconds: 1, queueTimeoutSeconds: 4, recordCalls: 'on-demand', agents: [{ id: 'alice', endpoint: 'user:alice' }] }],
      routing: { unattendedSweepMs: 100, ringNoAnswerSweepMs: 100, callbackOfflineGraceMs: 300 },
      events: { heartbeatMs: 300 },
    });
    const res = await gw.request('GET', '/asyncapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    document = res.body;
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv);
    for (const [name, message] of Object.entries<any>(document.components.messages)) validators.set(name, ajv.compile(message.payload));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const token = (agentId: string, role: 'agent' | 'supervisor' = 'agent') => gw.token({ tenantId: 'acme', agentId, roles: [role] });
  const connect = async (agentId: string, role: 'agent' | 'supervisor' = 'agent') => {
    const client = await EventClient.connect(gw.url, await token(agentId, role));
    clients.push(client);
    return client;
  };
  const post = async (path: string, body: unknown = {}, as = 'alice', role: 'agent' | 'supervisor' = 'agent') => {
    const res = await gw.request('POST', path, { token: await token(as, role), body });
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const seen = (type: string, match: (f: Frame) => boolean = () => true) => watch.next((f) => f.event?.type === type && match(f), 10_000).catch(() => {
    throw new Error(`no ${type} event came; the types that did: ${watch.events().map((f) => `${f.event.type} ${JSON.stringify(f.event.data).slice(0, 80)}`).join(', ')}`);
  });
  const ofCall = (id: string) => (f: Frame) => f.event.interactionId === id;
  const text = (from: string, body: string) => post('/v1/simulator/inbound-sms', { from, to: NUMBER, body }, 'sam', 'supervisor');

  it('is the catalogue’s document, public, linked from /docs', async () => {
    expect(document).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
    const docs = await gw.request('GET', '/docs', { token: null });
    expect(docs.text).toContain('href="/asyncapi.json"');
  });

  it('describes every frame a socket receives while every type of event happens', async () => {
    watch = await EventClient.connect(gw.url, await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor', 'admin'] }));
    clients.push(watch);
    watch.send({ op: 'subscribe', topics: ['tenant'] });
    await watch.next((f) => f.op === 'subscribed');

    // Presence: an agent's socket opens and closes.
    const alice = await connect('alice');
    await seen('agent.presence', (f) => f.event.data.status === 'online');
    alice.close();
    await seen('agent.presence', (f) => f.event.data.status === 'offline');

    // A conversation with a chat, and a call through every control.
    const conversation = await post('/v1/conversations', { contact: { phone: CUSTOMER }, chat: { sessionId: 'asyncapi-1', origin: 'web' } });
    await seen('chat.linked');
    const call = await post(`/v1/conversations/${conversation.id}/calls`, { agentEndpoint: 'user:alice' });
    await seen('call.answered', ofCall(call.id));
    // Its recording: started, paused (PCI), resumed, stopped, available.
    for (const action of ['start', 'pause', 'resume', 'stop']) await post(`/v1/calls/${call.id}/recording`, { action });
    await seen('recording.available', ofCall(call.id));
    for (const command of ['hold', 'resume', 'mute', 'unmute', 'hangup']) await post(`/v1/calls/${call.id}/${command}`);
    await seen('call.ended', ofCall(call.id));
    const failing = await post(`/v1/conversations/${conversation.id}/calls`, { agentEndpoint: 'user:alice', to: '+14155550500' });
    await seen('call.failed', ofCall(failing.id));
    // Parties: a colleague consulted (updated, joined), then let go (left).
    const consulting = await post(`/v1/conversations/${conversation.id}/calls`, { agentEndpoint: 'user:alice' });
    await seen('call.answered', ofCall(consulting.id));
    await post(`/v1/calls/${consulting.id}/consult`, { to: 'user:bob' });
    await seen('call.participant.joined', ofCall(consulting.id));
    await post(`/v1/calls/${consulting.id}/consult/cancel`);
    await seen('call.participant.left', ofCall(consulting.id));
    await post(`/v1/calls/${consulting.id}/hangup`);
    await seen('call.ended', ofCall(consulting.id));

    // Messages out: delivered, undelivered, failed.
    for (const to of [CUSTOMER, '+14155550001', '+14155550002']) await post(`/v1/conversations/${conversation.id}/messages`, { body: 'Hello', to });
    await seen('sms.delivered');
    await seen('sms.undelivered');
    await seen('sms.failed');

    // The chat ends (wrap-up), the customer writes again (active), opts out and back in.
    await post(`/v1/conversations/${conversation.id}/chat/end`);
    await seen('conversation.updated', (f) => f.event.data.status === 'wrap-up');
    await text(CUSTOMER, 'Are you there?');
    await seen('conversation.updated', (f) => f.event.data.status === 'active');
    await text(CUSTOMER, 'STOP');
    await seen('contact.opted_out');
    await text(CUSTOMER, 'START');
    await seen('contact.opted_in');

    // Wrap-up ends what is live: a chat and an answered call.
    const second = await post('/v1/conversations', { contact: { phone: '+14155552672' }, chat: { sessionId: 'asyncapi-2' } });
    const live = await post(`/v1/conversations/${second.id}/calls`, { agentEndpoint: 'user:alice' });
    await seen('call.answered', ofCall(live.id));
    await post(`/v1/conversations/${second.id}/wrap-up`, { disposition: 'resolved' });
    // The call is hung up through its provider first (ended by wrap-up only when it raced that).
    await seen('call.ended', ofCall(live.id));
    await seen('chat.ended', (f) => f.event.data.endReason === 'wrap-up');
    await seen('conversation.closed');

    // The queue: a newcomer's text waits, is announced as unattended, claimed and released.
    const queued = await text(NEWCOMER, 'Hello?');
    await seen('conversation.unattended', (f) => f.event.conversationId === queued.conversationId);
    await post(`/v1/conversations/${queued.conversationId}/claim`);
    await seen('conversation.assigned');
    await post(`/v1/conversations/${queued.conversationId}/release`);
    await seen('conversation.released');
    await post(`/v1/conversations/${queued.conversationId}/transfer`, { agentId: 'alice' }, 'sam', 'supervisor');
    await seen('conversation.transferred');
    // A second agent beside alice, then gone again.
    await post(`/v1/conversations/${queued.conversationId}/agents`, { agentId: 'carl' }, 'sam', 'supervisor');
    await seen('conversation.agent.added');
    expect((await gw.request('DELETE', `/v1/conversations/${queued.conversationId}/agents/carl`, { token: await token('sam', 'supervisor') })).status).toBe(200);
    await seen('conversation.agent.removed');

    // A customer calls in: it rings on their conversation's agent (bob), rings out (RONA: bob away), alice answers.
    const bob = await connect('bob');
    await seen('agent.presence', (f) => f.event.data.agentId === 'bob' && f.event.data.status === 'online');
    const bobs = await post('/v1/conversations', { contact: { phone: '+14155552673' } }, 'bob');
    const incoming = await post('/v1/simulator/inbound-call', { from: '+14155552673', to: NUMBER }, 'sam', 'supervisor');
    await seen('call.incoming', (f) => f.event.conversationId === bobs.id && f.event.data.offeredTo === 'bob');
    await seen('call.requeued', ofCall(incoming.callId));
    await seen('agent.status', (f) => f.event.data.agentId === 'bob' && f.event.data.status === 'away');
    await post(`/v1/calls/${incoming.callId}/answer`);
    await seen('call.accepted', ofCall(incoming.callId));
    await post(`/v1/calls/${incoming.callId}/hangup`);
    bob.close();
    // A caller nobody answers within queueTimeoutSeconds is sent to voicemail.
    const unanswered = await post('/v1/simulator/inbound-call', { from: '+14155552674', to: NUMBER }, 'sam', 'supervisor');
    await seen('call.voicemail', ofCall(unanswered.callId));
    // Offered the choice, callers who press 2 are called back: one task goes to alice (online) and is dialed, another is canceled.
    const ada = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    expect((await gw.request('PATCH', '/v1/admin/tenants/acme', { token: ada, body: { policies: { queueTimeoutOffer: 'choice', queueTimeoutSeconds: 1 } } })).status).toBe(200);
    const aliceAgain = await connect('alice');
    const callMe = await post('/v1/simulator/inbound-call', { from: '+14155552675', to: NUMBER, digits: '2' }, 'sam', 'supervisor');
    const requested = await seen('callback.requested', (f) => f.event.data.callId === callMe.callId);
    const callbackId = requested.event.data.callbackId as string;
    await seen('callback.assigned', (f) => f.event.data.callbackId === callbackId && f.event.data.agentId === 'alice');
    const dialed = await post(`/v1/callbacks/${callbackId}/dial`);
    await seen('callback.dialed', (f) => f.event.data.callbackId === callbackId);
    await post(`/v1/calls/${dialed.call.id}/hangup`);
    const callMeToo = await post('/v1/simulator/inbound-call', { from: '+14155552676', to: NUMBER, digits: '2' }, 'sam', 'supervisor');
    const secondCallback = await seen('callback.requested', (f) => f.event.data.callId === callMeToo.callId);
    // Alice goes offline holding it: past the grace it is released (pending again), then canceled.
    await seen('callback.assigned', (f) => f.event.data.callbackId === secondCallback.event.data.callbackId);
    aliceAgain.close();
    await seen('callback.released', (f) => f.event.data.callbackId === secondCallback.event.data.callbackId);
    await post(`/v1/callbacks/${secondCallback.event.data.callbackId}/cancel`, {}, 'sam', 'supervisor');
    await seen('callback.canceled', (f) => f.event.data.callbackId === secondCallback.event.data.callbackId);

    // An admin changes the tenant (admins only receive it: the watcher is also an admin).
    const changed = await gw.request('PATCH', '/v1/admin/tenants/acme', { token: await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] }), body: { policies: { stickyDays: 8 } } });
    expect(changed.status).toBe(200);
    await seen('tenant.updated');

    await watch.next((f) => f.op === 'heartbeat', 5000);
    const events = watch.frames.filter((f) => f.op === 'event');
    expect([...new Set(events.map((f) => f.event.type))].sort()).toEqual([...EVENT_TYPES].sort());
    const invalid = watch.frames.flatMap((frame): Array<{ name: string; frame: Frame; errors: unknown }> => {
      const name = frame.op === 'event' ? frame.event.type : frame.op;
      const validate = validators.get(name);
      if (!validate) return [{ name, frame, errors: 'no message of that name' }];
      return validate(frame) ? [] : [{ name, frame, errors: validate.errors }];
    });
    expect(invalid).toEqual([]);
  }, 60_000);

  it('replays, from a cursor, frames the document describes', async () => {
    // The watcher's roles: an admin's replay holds `tenant.updated` too.
    const client = await EventClient.connect(gw.url, await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor', 'admin'] }));
    clients.push(client);
    client.send({ op: 'subscribe', topics: ['tenant'], since: '0' });
    const live = watch.events().map((f) => f.event.id);
    const replayed = await client.eventCount(live.length, 10_000);
    // The same events, in the same order (more may have happened meanwhile: a queued conversation alerts again).
    expect(replayed.slice(0, live.length).map((f) => f.event.id)).toEqual(live);
    expect(replayed.filter((f) => !validators.get(f.event.type)!(f))).toEqual([]);
  });

  it('refuses, in its own words, what the document says it refuses', async () => {
    const client = await connect('bob');
    client.send({ op: 'subscribe', topics: ['tenant'] });
    const refused = await client.next((f) => f.op === 'error');
    expect(validators.get('error')!(refused)).toBe(true);
    client.send({ op: 'ping' });
    expect(validators.get('pong')!(await client.next((f) => f.op === 'pong'))).toBe(true);
    client.send({ op: 'unsubscribe', topics: ['queue'] });
    expect(validators.get('unsubscribed')!(await client.next((f) => f.op === 'unsubscribed'))).toBe(true);
    // And the validators do refuse: an event frame of one type is not a frame of another.
    const presence = watch.frames.find((f) => f.event?.type === 'agent.presence')!;
    expect(validators.get('conversation.assigned')!(presence)).toBe(false);
    expect(validators.get('agent.presence')!({ ...presence, event: { ...presence.event, data: { ...presence.event.data, mood: 'happy' } } })).toBe(false);
  });
});
