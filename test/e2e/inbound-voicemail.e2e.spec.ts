import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_RATE, rms } from '../../src/media/domain/pcm';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { EventClient } from '../support/ws-client';

const ACME = '+14155550100';

/** Queue timeout → voicemail, end to end on the simulator: the caller's message is a recording in the timeline. */
function voicemailSuite(database: () => Promise<Partial<TestDatabase>>): void {
  let gw: TestGateway;
  let db: Partial<TestDatabase>;
  let supervisor: string;
  let alice: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    db = await database();
    gw = await startTestGateway({
      ...(db.url ? { database: { url: db.url } } : {}),
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'voicemail-')) },
      tenants: [
        { id: 'acme', numbers: [ACME], queueTimeoutSeconds: 1, agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }] },
        { id: 'patient', numbers: ['+14155550200'] },
      ],
      routing: { ringNoAnswerSweepMs: 100 },
    });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw?.close();
    await db?.drop?.();
  });

  it('a caller nobody answers within queueTimeoutSeconds leaves a message: call.voicemail, the recording available in the timeline, the call ended; an agent clicking then gets 409', async () => {
    const feed = await EventClient.connect(gw.url, supervisor);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: ['queue'] });
    await feed.next((f) => f.op === 'subscribed');

    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: supervisor, body: { from: '+14155550123', to: ACME } });
    expect(placed.status).toBe(202);
    const { callId, conversationId } = placed.body as { callId: string; conversationId: string };

    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail' && f.event.interactionId === callId, 10_000);
    const recordingId = voicemail.event.data.recordingId as string;
    expect(voicemail.event.data).toEqual({ recordingId, queueTimeoutSeconds: 1 });

    const answer = await gw.request('POST', `/v1/calls/${callId}/answer`, { token: alice });
    expect(answer.status).toBe(409);

    // The message and the call's end reach the timeline and the call.
    let timeline: Array<{ type: string; data: Record<string, unknown> }> = [];
    for (let i = 0; i < 100; i++) {
      timeline = (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: supervisor })).body.items;
      const ended = (await gw.request('GET', `/v1/calls/${callId}`, { token: supervisor })).body.state === 'ended';
      if (ended && timeline.some((e) => e.type === 'recording_available')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(timeline.find((e) => e.type === 'voicemail')?.data).toEqual({ recordingId, queueTimeoutSeconds: 1 });
    const available = timeline.find((e) => e.type === 'recording_available')!;
    expect(available.data).toMatchObject({ recordingId, href: `/v1/recordings/${recordingId}`, channels: 1, contentType: 'audio/wav' });

    const call = await gw.request('GET', `/v1/calls/${callId}`, { token: supervisor });
    expect(call.body).toMatchObject({ direction: 'inbound', state: 'ended', endReason: 'completed' });
    const listed = await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: supervisor });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'available' })]);

    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(res.status).toBe(200);
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ channels: 1, sampleRate: BASE_RATE, bitsPerSample: 16 });
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(1000);
  });

  it('a tenant without queueTimeoutSeconds keeps its caller waiting', async () => {
    const patient = await gw.token({ tenantId: 'patient', agentId: 'sue', roles: ['supervisor'] });
    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: patient, body: { from: '+14155550124', to: '+14155550200' } });
    expect(placed.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500)); // several sweeps past what would be a timeout of 1 s
    const call = await gw.request('GET', `/v1/calls/${placed.body.callId}`, { token: patient });
    expect(call.body.state).toBe('ringing');
    const listed = await gw.request('GET', `/v1/calls/${placed.body.callId}/recordings`, { token: patient });
    expect(listed.body.items).toEqual([]);
  });
}

describe('inbound calls: queue timeout → voicemail (simulator, SQLite)', () => voicemailSuite(async () => ({})));

describeWithPostgres('inbound calls: queue timeout → voicemail (simulator, PostgreSQL)', () => voicemailSuite(createTestDatabase));
