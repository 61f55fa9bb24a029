import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';

describe('click-to-call over jambonz', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'jambonz', ringTimeoutSeconds: 30 }],
      providers: jambonz.providers(),
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    token = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
    await jambonz.stop();
  });

  const types = async (callId: string) =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000))
      .filter((e) => e.interactionId === callId).map((e) => e.type);
  const signed = (path: string, params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, params);
  const status = (callId: string, sid: string, s: string, options = {}) =>
    jambonz.post(gw.url, signed('/webhooks/jambonz/call/status', { cid: callId }).slice(PUBLIC.length), { call_sid: sid, call_status: s, sip_status: 200, direction: 'outbound', account_sid: JAMBONZ_ACCOUNT }, options);

  it('places the call with its hooks, dials the agent when the customer answers, and controls it', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671' }, chat: { sessionId: 'jz-1' } } });
    const feed = await EventClient.connect(gw.url, token);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    expect(placed.status).toBe(202);
    const id = placed.body.id as string;
    const created = jambonz.calls.at(-1)!;
    expect(created.body).toEqual({
      from: '+14155550100', to: { type: 'phone', number: '+14155552671' }, timeout: 30, // the tenant's ringTimeoutSeconds
      call_hook: { url: signed('/webhooks/jambonz/call', { cid: id }), method: 'POST' },
      call_status_hook: { url: signed('/webhooks/jambonz/call/status', { cid: id }), method: 'POST' },
      tag: { callId: id },
    });
    expect(placed.body.providerRef).toBe(created.sid);

    for (const s of ['trying', 'ringing', 'early-media', 'in-progress', 'ringing']) expect((await status(id, created.sid, s)).status).toBe(204);
    const hook = await jambonz.post(gw.url, signed('/webhooks/jambonz/call', { cid: id }).slice(PUBLIC.length), { call_sid: created.sid, call_status: 'in-progress' });
    expect(hook.status).toBe(200);
    // The dial carries a listen to the gateway, bound to this call and the customer's leg (media-jambonz.e2e.spec.ts).
    expect(JSON.parse(hook.text)).toEqual([{ verb: 'dial', callerId: '+14155550100', answerOnBridge: true, target: [{ type: 'sip', sipUri: 'sip:1001@pbx.example' }],
      listen: expect.objectContaining({ url: signed('/webhooks/jambonz/listen', { cid: id, sid: created.sid }).replace(/^https/, 'wss'), mixType: 'stereo' }) }]);

    expect((await gw.request('POST', `/v1/calls/${id}/mute`, { token })).body.muted).toBe(true);
    expect(jambonz.updates.at(-1)).toEqual({ sid: created.sid, body: { mute_status: 'mute' } });
    await gw.request('POST', `/v1/calls/${id}/dtmf`, { token, body: { digits: '42' } });
    expect(jambonz.updates.slice(-2).map((u) => u.body)).toEqual(['4', '2'].map((d) => ({
      sip_request: { method: 'INFO', content_type: 'application/dtmf-relay', content: `Signal=${d}\r\nDuration=160` },
    })));
    // A dialled call has no hold in jambonz: its two legs move into the call's conference, where the customer is held (participants-jambonz.e2e.spec.ts).
    const hold = await gw.request('POST', `/v1/calls/${id}/hold`, { token });
    expect([hold.status, hold.body.state]).toEqual([200, 'held']);
    expect(jambonz.updates.at(-1)).toEqual({ sid: created.sid, body: { conf_hold_status: 'hold' } });
    await gw.request('POST', `/v1/calls/${id}/transfer`, { token, body: { to: 'user:bob' } });
    const redirect = jambonz.updates.at(-1)!.body as { call_hook: { url: string } };
    expect(redirect.call_hook.url).toBe(signed('/webhooks/jambonz/call', { cid: id, transfer: 'user:bob' }));
    const transferred = await jambonz.post(gw.url, redirect.call_hook.url.slice(PUBLIC.length), { call_sid: created.sid });
    expect(JSON.parse(transferred.text)[0].target).toEqual([{ type: 'user', name: 'bob' }]);
    expect((await gw.request('POST', `/v1/calls/${id}/hangup`, { token })).body.state).toBe('ended');
    expect(jambonz.updates.at(-1)!.body).toEqual({ call_status: 'completed' });
    expect((await status(id, created.sid, 'completed')).status).toBe(204);

    const expected = ['call.initiated', 'call.ringing', 'call.answered', 'call.muted', 'call.held', 'call.ended'];
    expect(await types(id)).toEqual(expected);
    await feed.eventCount(expected.length);
    expect(feed.events().map((f) => f.event.type)).toEqual(expected);
    feed.close();
  });

  it('refuses unsigned and stale hooks with 403 and changes nothing', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552672' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } });
    const sid = jambonz.calls.at(-1)!.sid;
    expect((await status(placed.body.id, sid, 'in-progress', { signature: '' })).status).toBe(403);
    expect((await status(placed.body.id, sid, 'in-progress', { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(403);
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body.state).toBe('initiating');
    expect((await status(placed.body.id, sid, 'no-answer')).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body).toMatchObject({ state: 'ended', endReason: 'no-answer' });
  });
});

describe('click-to-call over jambonz with an application configured (JAMBONZ_APPLICATION_SID)', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: 'https://gateway.example.com' },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'jambonz' }],
      providers: { jambonz: { ...jambonz.providers().jambonz, applicationSid: 'a1b2c3d4-0000-4000-8000-000000000001' } },
    });
  });
  afterAll(async () => {
    await gw.close();
    await jambonz.stop();
  });

  it('names the application on the call it creates, beside its own hooks', async () => {
    const token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552673' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } });
    expect(placed.status).toBe(202);
    expect(jambonz.calls.at(-1)!.body).toMatchObject({
      application_sid: 'a1b2c3d4-0000-4000-8000-000000000001',
      call_hook: { url: expect.stringContaining('/webhooks/jambonz/call?cid='), method: 'POST' },
    });
  });
});
