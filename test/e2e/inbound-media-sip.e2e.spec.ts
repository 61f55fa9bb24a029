import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_RATE, rms } from '../../src/media/domain/pcm';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { NgClient, parseNgUrl } from '../../src/providers/sip/rtpengine/ng-client';
import { defaultSounds, durationMs } from '../../src/providers/sip/rtpengine/domain/sounds';
import { CHOICE_WAIT_MS } from '../../src/providers/sip/sip.queue-choice';
import { EventLogRepository } from '../../src/events/event-log.repository';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { eventually, sippUac, sippUas } from '../support/sipp';
import { EventClient } from '../support/ws-client';

/**
 * What an inbound SIP caller hears while waiting, and voicemail over SIP, with the media in a real
 * rtpengine (RTPENGINE_URL) and a real drachtio-server of this suite's own (DRACHTIO_EARLY_*:
 * drachtio-server hands an inbound INVITE to any app connected to it; .ci/run starts one), and the
 * queue timeout's choice between voicemail and a callback asked the same way. Where
 * it is not set, DRACHTIO_MEDIA_* is used: then run it alone, under `flock /tmp/sip.lock`. SIPp
 * plays the caller (5287, RTP 6301) and the agents' phones (5288 and 5289, RTP 6311).
 */
const EARLY_HOST = process.env.DRACHTIO_EARLY_HOST ?? process.env.DRACHTIO_MEDIA_HOST;
const describeWithMedia = EARLY_HOST ? describeIfEnv('RTPENGINE_URL') : describeIfEnv('DRACHTIO_EARLY_HOST');
const DRACHTIO = process.env.DRACHTIO_EARLY_HOST
  ? { host: process.env.DRACHTIO_EARLY_HOST, port: Number(process.env.DRACHTIO_EARLY_PORT ?? 9045), secret: process.env.DRACHTIO_EARLY_SECRET ?? 'cymru', sip: process.env.DRACHTIO_EARLY_SIP_PORT ?? '5286' }
  : { host: process.env.DRACHTIO_MEDIA_HOST ?? '', port: Number(process.env.DRACHTIO_MEDIA_PORT ?? 9041), secret: process.env.DRACHTIO_MEDIA_SECRET ?? 'cymru', sip: process.env.DRACHTIO_MEDIA_SIP_PORT ?? '5280' };

const ACME = '+14155550100';
const VOICEMAIL = '+14155550300';
const CHOICE = '+14155550400';
const CALLER_PORT = 5287;
const AGENT_PORT = 5288;
const BOB_PORT = 5289;
const CALLER_RTP = 6301;
const AGENT_RTP = 6311;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SIPp as the caller from the trunk: one call of `scenario`, dialling `service`; `echo`: what it hears goes back (-rtp_echo). */
const sippCaller = (scenario: string, service: string, echo = false): Promise<void> =>
  sippUac(scenario, `127.0.0.1:${DRACHTIO.sip}`, service, '127.0.0.1', CALLER_PORT, ['-mp', String(CALLER_RTP), ...(echo ? ['-rtp_echo'] : [])]);

type Tag = { medias: Array<{ streams: Array<{ stats: { packets: number } }> }> };
type Query = { tags: Record<string, Tag> };

describeWithMedia('inbound SIP callers with rtpengine: early media while waiting, voicemail or the choice of a callback after the queue timeout (real drachtio-server, rtpengine, SIPp)', () => {
  let gw: TestGateway;
  let ng: NgClient;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    ng = new NgClient(parseNgUrl(process.env.RTPENGINE_URL!));
    gw = await startTestGateway({
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'sip-voicemail-')) },
      tenants: [
        { id: 'acme', numbers: [ACME], voiceProvider: 'sip', agents: [{ id: 'alice', endpoint: `sip:alice@127.0.0.1:${AGENT_PORT}` }, { id: 'bob', endpoint: `sip:bob@127.0.0.1:${BOB_PORT}` }] },
        { id: 'vmco', numbers: [VOICEMAIL], voiceProvider: 'sip', queueTimeoutSeconds: 2 },
        // The queue timeout's choice (voicemail or callback); carol takes the callback tasks.
        { id: 'choiceco', numbers: [CHOICE], voiceProvider: 'sip', queueTimeoutSeconds: 2, queueTimeoutOffer: 'choice', agents: [{ id: 'carol', endpoint: 'sip:carol@127.0.0.1:5290' }] },
      ],
      routing: { ringNoAnswerSweepMs: 100 },
      providers: {
        drachtio: { host: DRACHTIO.host, port: DRACHTIO.port, secret: DRACHTIO.secret },
        sipTrunkUri: 'sip:127.0.0.1:5299',
        sipTrunkAddresses: ['127.0.0.1'],
        rtpengineUrl: process.env.RTPENGINE_URL!,
      },
    });
    for (let i = 0; i < 100 && (await gw.request('GET', '/health/ready', { token: null })).status !== 200; i++) await sleep(100);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw?.close();
    ng?.close();
  });

  /** A socket on the tenant's queue (every offered call shows there). */
  const queueFeed = async (tenantId: string): Promise<EventClient> => {
    const client = await EventClient.connect(gw.url, await gw.token({ tenantId, agentId: 'sue', roles: ['supervisor'] }));
    clients.push(client);
    client.send({ op: 'subscribe', topics: ['queue'] });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };

  it('a waiting caller gets 183 with rtpengine\'s description and hears the greeting and hold music; the agent answers and the call is bridged through rtpengine as before', async () => {
    const feed = await queueFeed('acme');
    const alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const agentPhone = sippUas('media-inbound-agent.xml', '127.0.0.1', AGENT_PORT, { mediaPort: AGENT_RTP });
    await sleep(300); // let SIPp bind
    const caller = sippCaller('early-media-caller.xml', ACME, true);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;

    // What rtpengine plays the caller comes back (SIPp's echo) and rtpengine counts it on the caller's leg.
    let heard = 0;
    await eventually(async () => {
      const query = (await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query;
      heard = query.tags.customer!.medias[0]!.streams[0]!.stats.packets;
      // Over 3 s of 20 ms packets: past the greeting (1.7 s), so the hold music followed it.
      expect(heard).toBeGreaterThan(150);
    }, 8000);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: alice })).body).toMatchObject({ state: 'ringing', direction: 'inbound' });

    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: alice });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: `sip:alice@127.0.0.1:${AGENT_PORT}` });
    // Bridged: the agent's phone talks (its pcap) to rtpengine, and the caller's leg carries it on.
    await eventually(async () => {
      const query = (await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query;
      expect(query.tags.agent!.medias[0]!.streams[0]!.stats.packets).toBeGreaterThan(50);
      expect(query.tags.customer!.medias[0]!.streams[0]!.stats.packets).toBeGreaterThan(heard + 50);
    }, 8000);
    const hungUp = await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: alice });
    expect(hungUp.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await Promise.all([caller, agentPhone.done]);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);

  it('on a call anchored in rtpengine, hold, resume, mute, unmute, DTMF and the hangup reach the phones with rtpengine\'s descriptions, and rtpengine forgets the call', async () => {
    const feed = await queueFeed('acme');
    const alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const agentPhone = sippUas('anchored-agent-controls.xml', '127.0.0.1', AGENT_PORT, { mediaPort: AGENT_RTP });
    await sleep(300); // let SIPp bind
    const caller = sippCaller('anchored-caller-controls.xml', ACME, true);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const customerPackets = async (): Promise<number> => ((await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query).tags.customer!.medias[0]!.streams[0]!.stats.packets;
    await eventually(async () => expect(await customerPackets()).toBeGreaterThan(25), 8000); // early media, echoed back
    expect((await gw.request('POST', `/v1/calls/${callId}/answer`, { token: alice })).status).toBe(200);
    await eventually(async () => {
      const query = (await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query;
      expect(query.tags.agent!.medias[0]!.streams[0]!.stats.packets).toBeGreaterThan(25);
    }, 8000);

    // Each phone checks what it gets (SIPp): hold and resume re-INVITE the caller (inactive, sendrecv), mute and unmute
    // the agent's phone (sendonly, sendrecv), all with rtpengine's address and ports; the keys are INFOs to the caller.
    const post = (action: string, body?: object) => gw.request('POST', `/v1/calls/${callId}/${action}`, { token: alice, body });
    expect((await post('hold')).body.state).toBe('held');
    expect((await post('resume')).body.state).toBe('answered');
    expect((await post('mute')).body.muted).toBe(true);
    expect((await post('unmute')).body.muted).toBe(false);
    expect((await post('dtmf', { digits: '1#' })).status).toBe(200);
    const hungUp = await post('hangup');
    expect(hungUp.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect((hungUp.body.steps as Array<{ kind: string }>).map((s) => s.kind)).toEqual(['held', 'resumed', 'muted', 'unmuted', 'dtmf_sent']);
    await Promise.all([caller, agentPhone.done]); // both got their BYE
    expect((await eventTypesOf('acme', callId)).filter((t) => t.startsWith('call.') && t !== 'call.accepted')).toEqual(
      ['call.incoming', 'call.answered', 'call.held', 'call.resumed', 'call.muted', 'call.unmuted', 'call.ended']);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);

  it('a device that refuses (486) leaves the caller hearing hold music again, and another agent\'s phone then takes the call', async () => {
    const feed = await queueFeed('acme');
    const alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    const busyPhone = sippUas('inbound-agent-busy.xml', '127.0.0.1', AGENT_PORT);
    const bobPhone = sippUas('media-inbound-agent.xml', '127.0.0.1', BOB_PORT, { mediaPort: AGENT_RTP });
    await sleep(300); // let SIPp bind
    const caller = sippCaller('early-media-caller.xml', ACME, true);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const heard = async (): Promise<number> => ((await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query).tags.customer!.medias[0]!.streams[0]!.stats.packets;
    await eventually(async () => expect(await heard()).toBeGreaterThan(25), 8000);

    expect((await gw.request('POST', `/v1/calls/${callId}/answer`, { token: alice })).status).toBe(502);
    await busyPhone.done;
    // The greeting and hold music play again: the caller keeps hearing (and echoing) them.
    const before = await heard();
    await eventually(async () => expect(await heard()).toBeGreaterThan(before + 50), 8000);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: bob })).body.state).toBe('ringing');

    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: bob });
    expect(answered.status).toBe(200);
    await eventually(async () => {
      const query = (await ng.command({ command: 'query', 'call-id': callId })) as unknown as Query;
      expect(query.tags.agent!.medias[0]!.streams[0]!.stats.packets).toBeGreaterThan(50);
    }, 8000);
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: bob });
    await Promise.all([caller, bobPhone.done]);
  }, 40_000);

  it('a caller who hangs up while hearing early media gets 487, the call ends canceled, and rtpengine forgets it', async () => {
    const feed = await queueFeed('acme');
    const caller = sippCaller('early-media-caller-cancels.xml', ACME);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    await caller;
    const sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'canceled', direction: 'inbound' }), 10_000);
    await eventually(() => expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i), 5000);
  }, 40_000);

  it('after queueTimeoutSeconds the caller is answered for voicemail, hears the prompt and the beep, and leaves a message: a recording in the timeline, the call ended', async () => {
    const feed = await queueFeed('vmco');
    const sue = await gw.token({ tenantId: 'vmco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('voicemail-caller.xml', VOICEMAIL);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const conversationId = ring.event!.conversationId as string;
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail' && f.event.interactionId === callId, 10_000);
    const recordingId = voicemail.event!.data.recordingId as string;
    await caller; // hung up 6 s after its ACK

    let timeline: Array<{ type: string; data: Record<string, unknown> }> = [];
    await eventually(async () => {
      timeline = (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: sue })).body.items;
      expect(timeline.map((e) => e.type)).toContain('recording_available');
    }, 10_000);
    expect(timeline.find((e) => e.type === 'voicemail')?.data).toEqual({ recordingId, queueTimeoutSeconds: 2 });
    expect(timeline.find((e) => e.type === 'recording_available')!.data).toMatchObject({ recordingId, channels: 1, contentType: 'audio/wav' });
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ direction: 'inbound', state: 'ended', endReason: 'completed' });

    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${sue}` } });
    expect(res.status).toBe(200);
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ channels: 1, sampleRate: BASE_RATE, bitsPerSample: 16 });
    // Recorded from the end of the beep to the caller's BYE, 6 s after its ACK: minus the prompt and the beep.
    const sounds = defaultSounds();
    const expected = 6 - (durationMs(sounds['voicemail-prompt'])! + durationMs(sounds.beep)!) / 1000;
    expect(Math.abs(wav.durationSeconds - expected)).toBeLessThan(0.8);
    expect(rms(channelOf(wav, 0).subarray(BASE_RATE / 2))).toBeGreaterThan(300); // the caller's speech (the pcap), not silence
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);

  it('a caller who presses # ends the message: the gateway hangs up (BYE) and keeps what came before the #', async () => {
    const feed = await queueFeed('vmco');
    const sue = await gw.token({ tenantId: 'vmco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('voicemail-caller-pound.xml', VOICEMAIL);
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail', 15_000);
    const recordingId = voicemail.event!.data.recordingId as string;
    const callId = voicemail.event!.interactionId as string;
    await caller; // got the gateway's BYE after its #
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'available' })]), 10_000);
    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${sue}` } });
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    const sounds = defaultSounds();
    // The # came 4 s after the ACK: the message is what followed the beep until then.
    const expected = 4 - (durationMs(sounds['voicemail-prompt'])! + durationMs(sounds.beep)!) / 1000;
    expect(Math.abs(wav.durationSeconds - expected)).toBeLessThan(0.8);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
  }, 40_000);

  it('a caller who hangs up before the beep leaves no message: the recording fails and the call ends', async () => {
    const feed = await queueFeed('vmco');
    const sue = await gw.token({ tenantId: 'vmco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('voicemail-caller-hangs-up.xml', VOICEMAIL);
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail', 15_000);
    const recordingId = voicemail.event!.data.recordingId as string;
    const callId = voicemail.event!.interactionId as string;
    await caller;
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'failed' })]), 10_000);
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'completed' }), 10_000);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);
  /** A recording's WAV, fetched as a supervisor of `tenantId`. */
  const recordingWav = async (tenantId: string, recordingId: string): Promise<ReturnType<typeof parseWav>> => {
    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${await gw.token({ tenantId, agentId: 'sue', roles: ['supervisor'] })}` } });
    expect(res.status).toBe(200);
    return parseWav(Buffer.from(await res.arrayBuffer()));
  };
  type Entry = { type: string; interactionId: string | null; data: Record<string, unknown> };
  /** The call's events in the log, in order. */
  const eventTypesOf = async (tenantId: string, callId: string): Promise<string[]> =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter(tenantId, 0, 100_000)).filter((e) => e.interactionId === callId).map((e) => e.type);
  const timelineOf = async (conversationId: string): Promise<Entry[]> =>
    (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: await gw.token({ tenantId: 'choiceco', agentId: 'sue', roles: ['supervisor'] }) })).body.items;

  it('queue timeout with the choice: a caller who presses 2 (RFC 4733) during the question hears the confirmation and gets a BYE; a callback task for the online agent, the call ended completed', async () => {
    const feed = await queueFeed('choiceco');
    const sue = await gw.token({ tenantId: 'choiceco', agentId: 'sue', roles: ['supervisor'] });
    const carol = await EventClient.connect(gw.url, await gw.token({ tenantId: 'choiceco', agentId: 'carol' }));
    clients.push(carol);
    carol.send({ op: 'subscribe', topics: ['agent:carol'], since: '0' });
    await carol.next((f) => f.op === 'subscribed');

    const caller = sippCaller('queue-choice-caller-2.xml', CHOICE);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const conversationId = ring.event!.conversationId as string;
    const requested = await feed.next((f) => f.event?.type === 'callback.requested' && f.event.data.callId === callId, 15_000);
    const keyTaken = Date.now();
    const assigned = await carol.next((f) => f.event?.type === 'callback.assigned', 10_000);
    await caller; // the scenario ends with the gateway's BYE (and a BYE is all it accepts)
    // The BYE came after the confirmation had been played through.
    expect(Date.now() - keyTaken).toBeGreaterThan(durationMs(defaultSounds()['callback-confirm'])! - 300);

    const callbackId = requested.event!.data.callbackId as string;
    expect(requested.event!.data).toEqual({ callbackId, callId, number: '+14155553911' });
    expect(assigned.event!.data).toEqual({ callbackId, agentId: 'carol', number: '+14155553911' });
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ direction: 'inbound', state: 'ended', endReason: 'completed' }), 10_000);
    const tasks = (await gw.request('GET', '/v1/callbacks?state=assigned', { token: sue })).body.items;
    expect(tasks).toEqual([expect.objectContaining({ id: callbackId, callId, number: '+14155553911', agentId: 'carol' })]);
    const timeline = await timelineOf(conversationId);
    expect(timeline.find((e) => e.type === 'callback_requested')).toMatchObject({ interactionId: callId, data: { callbackId, callId, number: '+14155553911' } });
    expect(timeline.find((e) => e.type === 'callback_assigned')?.data).toEqual({ callbackId, agentId: 'carol', number: '+14155553911' });
    expect(timeline.map((e) => e.type)).not.toContain('voicemail');
    // Exactly one end, and no voicemail or recording.
    expect((await eventTypesOf('choiceco', callId)).filter((t) => t === 'call.ended' || t === 'call.voicemail')).toEqual(['call.ended']);
    expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([]);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);

  it('queue timeout with the choice: a caller who presses 1 (a SIP INFO) leaves a voicemail in the same dialog (no second answer): a recording in the timeline, no callback task', async () => {
    const feed = await queueFeed('choiceco');
    const sue = await gw.token({ tenantId: 'choiceco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('queue-choice-caller-1-info.xml', CHOICE);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const conversationId = ring.event!.conversationId as string;
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail' && f.event.interactionId === callId, 15_000);
    const recordingId = voicemail.event!.data.recordingId as string;
    await caller; // hung up 6 s after its INFO

    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'available' })]), 10_000);
    const wav = await recordingWav('choiceco', recordingId);
    const sounds = defaultSounds();
    // The INFO came 1.5 s after the ACK, the BYE 6 s after it: the message is what followed the prompt and the beep.
    const expected = 6 - (durationMs(sounds['voicemail-prompt'])! + durationMs(sounds.beep)!) / 1000;
    expect(Math.abs(wav.durationSeconds - expected)).toBeLessThan(0.8);
    expect(rms(channelOf(wav, 0).subarray(BASE_RATE / 2))).toBeGreaterThan(300); // the caller's speech
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    const timeline = await timelineOf(conversationId);
    expect(timeline.find((e) => e.type === 'voicemail')?.data).toEqual({ recordingId, queueTimeoutSeconds: 2 });
    expect(timeline.some((e) => e.type === 'callback_requested' && e.interactionId === callId)).toBe(false);
    expect((await eventTypesOf('choiceco', callId)).filter((t) => t === 'call.ended')).toHaveLength(1);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  }, 40_000);

  it('queue timeout with the choice: a caller who presses nothing gets voicemail once the wait for a key is over', async () => {
    const feed = await queueFeed('choiceco');
    const sue = await gw.token({ tenantId: 'choiceco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('queue-choice-caller-silent.xml', CHOICE);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail' && f.event.interactionId === callId, 25_000);
    const recordingId = voicemail.event!.data.recordingId as string;
    await caller; // hung up 16 s after its ACK

    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'available' })]), 10_000);
    const wav = await recordingWav('choiceco', recordingId);
    const sounds = defaultSounds();
    // Asked at the ACK: the question, the wait for a key, the voicemail prompt and the beep; then the message until the BYE.
    const asked = (durationMs(sounds['queue-choice'])! + CHOICE_WAIT_MS + durationMs(sounds['voicemail-prompt'])! + durationMs(sounds.beep)!) / 1000;
    expect(Math.abs(wav.durationSeconds - (16 - asked))).toBeLessThan(0.8);
    expect(rms(channelOf(wav, 0).subarray(BASE_RATE / 2))).toBeGreaterThan(300);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    const tasks = (await gw.request('GET', '/v1/callbacks', { token: sue })).body.items as Array<{ callId: string }>;
    expect(tasks.some((t) => t.callId === callId)).toBe(false);
  }, 45_000);
  it('queue timeout with the choice: a caller who hangs up during the question chose nothing: the call ends once, no task, no recording, rtpengine forgets it', async () => {
    const feed = await queueFeed('choiceco');
    const sue = await gw.token({ tenantId: 'choiceco', agentId: 'sue', roles: ['supervisor'] });
    const caller = sippCaller('queue-choice-caller-hangs-up.xml', CHOICE);
    const ring = await feed.next((f) => f.event?.type === 'call.incoming', 10_000);
    const callId = ring.event!.interactionId as string;
    await caller;
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${callId}`, { token: sue })).body).toMatchObject({ state: 'ended', endReason: 'completed' }), 10_000);
    await eventually(() => expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i), 5000);
    await sleep(CHOICE_WAIT_MS / 4); // nothing more comes of it: no voicemail, no task, no second end
    expect((await eventTypesOf('choiceco', callId)).filter((t) => t.startsWith('call.'))).toEqual(['call.incoming', 'call.ended']);
    const tasks = (await gw.request('GET', '/v1/callbacks', { token: sue })).body.items as Array<{ callId: string }>;
    expect(tasks.some((t) => t.callId === callId)).toBe(false);
    expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: sue })).body.items).toEqual([]);
  }, 40_000);
});
