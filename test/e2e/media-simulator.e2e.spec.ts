import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { rms, BASE_RATE } from '../../src/media/domain/pcm';
import { AudioClient, refusal } from '../support/audio-client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';
import { RecordingsService } from '../../src/media/recordings.service';
import { existsSync, readdirSync } from 'node:fs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RMS of one channel between two instants of the file (seconds). */
function level(wav: ReturnType<typeof parseWav>, channel: number, from: number, to: number): number {
  return rms(channelOf(wav, channel).subarray(Math.floor(from * wav.sampleRate), Math.floor(to * wav.sampleRate)));
}

describe('recording and live audio on the simulator', () => {
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  let supervisor: string;
  let admin: string;
  let skipper: string;
  let always: string;
  let off: string;
  let stranger: string;
  const clients: Array<{ close(): void }> = [];
  const recordingsDir = mkdtempSync(join(tmpdir(), 'recordings-'));

  beforeAll(async () => {
    gw = await startTestGateway({
      media: { recordingsDir },
      tenants: [
        { id: 'acme', recordCalls: 'on-demand', pauseBehavior: 'silence' },
        { id: 'skipco', recordCalls: 'on-demand', pauseBehavior: 'skip', recordingRetentionDays: 30 },
        { id: 'whole', recordCalls: 'always' },
        { id: 'quiet', recordCalls: 'off' },
        { id: 'other', recordCalls: 'on-demand' },
      ],
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    skipper = await gw.token({ tenantId: 'skipco', agentId: 'sam' });
    always = await gw.token({ tenantId: 'whole', agentId: 'wes' });
    off = await gw.token({ tenantId: 'quiet', agentId: 'quinn' });
    stranger = await gw.token({ tenantId: 'other', agentId: 'alice' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  let n = 0;
  /** An answered simulated call of a new conversation of the token's agent. */
  async function answeredCall(token: string): Promise<{ id: string; conversationId: string }> {
    const conv = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: `+1415555${String(3000 + ++n)}` } } })).body;
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    expect(placed.status).toBe(202);
    for (;;) {
      const call = await gw.request('GET', `/v1/calls/${placed.body.id}`, { token });
      if (call.body.state === 'answered') return { id: placed.body.id, conversationId: conv.id };
      await sleep(20);
    }
  }
  const record = (id: string, action: string, token = alice) => gw.request('POST', `/v1/calls/${id}/recording`, { token, body: { action } });
  const download = async (href: string, token = alice, headers: Record<string, string> = {}) => {
    const res = await fetch(gw.url + href, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('records a call with a pause kept as silence: a dual-channel WAV as long as the call, silent while paused', async () => {
    const call = await answeredCall(alice);
    const feed = await EventClient.connect(gw.url, alice);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${call.conversationId}`] });
    await feed.next((f) => f.op === 'subscribed');

    expect((await record(call.id, 'pause')).status).toBe(409);
    const started = await record(call.id, 'start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'recording', pauseBehavior: 'silence', callId: call.id, href: null });
    expect((await record(call.id, 'start')).status).toBe(409);
    const t0 = performance.now();
    await sleep(1000);
    expect((await record(call.id, 'pause')).body.state).toBe('paused');
    const tPause = performance.now();
    await sleep(1000);
    expect((await record(call.id, 'resume')).body.state).toBe('recording');
    const tResume = performance.now();
    await sleep(1000);
    const stopped = await record(call.id, 'stop');
    const t1 = performance.now();
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ state: 'available', contentType: 'audio/wav', channels: 2, href: `/v1/recordings/${stopped.body.id}` });

    const file = await download(stopped.body.href);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/wav');
    expect(file.headers.get('accept-ranges')).toBe('bytes');
    const wav = parseWav(file.bytes);
    expect(wav).toMatchObject({ channels: 2, sampleRate: BASE_RATE, bitsPerSample: 16 });
    const recorded = (t1 - t0) / 1000;
    expect(Math.abs(wav.durationSeconds - recorded)).toBeLessThanOrEqual(0.5);
    // Audio (the customer's and the agent's tones) where there was audio, silence where paused.
    const pausedFrom = (tPause - t0) / 1000;
    const pausedTo = (tResume - t0) / 1000;
    for (const channel of [0, 1]) {
      expect(level(wav, channel, 0.1, pausedFrom - 0.1)).toBeGreaterThan(3000);
      expect(level(wav, channel, pausedFrom + 0.15, pausedTo - 0.15)).toBe(0);
      expect(level(wav, channel, pausedTo + 0.15, wav.durationSeconds - 0.1)).toBeGreaterThan(3000);
    }

    // The conversation got it as an attachment: an event and a timeline entry.
    const available = await feed.next((f) => f.event?.type === 'recording.available');
    expect(available.event).toMatchObject({ interactionId: call.id, data: { recordingId: stopped.body.id, href: stopped.body.href, channels: 2, size: file.bytes.length } });
    expect(feed.events().map((f) => f.event.type).filter((t: string) => t.startsWith('recording.'))).toEqual([
      'recording.started', 'recording.paused', 'recording.resumed', 'recording.stopped', 'recording.available',
    ]);
    const timeline = await gw.request('GET', `/v1/conversations/${call.conversationId}/timeline`, { token: alice });
    expect(timeline.body.items.map((i: { type: string }) => i.type).filter((t: string) => t.startsWith('recording_'))).toEqual([
      'recording_started', 'recording_paused', 'recording_resumed', 'recording_stopped', 'recording_available',
    ]);
    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: alice });
  });

  it('serves byte ranges for seeking (206), refuses ranges it cannot serve (416), and keeps other tenants and agents out', async () => {
    const call = await answeredCall(alice);
    await record(call.id, 'start');
    await sleep(300);
    const done = (await record(call.id, 'stop')).body;
    const whole = await download(done.href);
    const head = await download(done.href, alice, { range: 'bytes=0-43' });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-43/${whole.bytes.length}`);
    expect(head.bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(head.bytes.length).toBe(44);
    const tail = await download(done.href, alice, { range: 'bytes=-100' });
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(whole.bytes.subarray(whole.bytes.length - 100))).toBe(true);
    for (const range of [`bytes=${whole.bytes.length}-`, 'bytes=5-1', 'bytes=0-1,4-5', 'pages=1']) {
      const refused = await download(done.href, alice, { range });
      expect(refused.status).toBe(416);
      expect(refused.headers.get('content-range')).toBe(`bytes */${whole.bytes.length}`);
    }
    // Another tenant's agent cannot tell it exists; another agent of the tenant may not; a supervisor may.
    expect((await download(done.href, stranger)).status).toBe(404);
    expect((await download(done.href, bob)).status).toBe(403);
    expect((await download(done.href, supervisor)).status).toBe(200);
    expect((await record(call.id, 'start', stranger)).status).toBe(404);
    expect((await record(call.id, 'start', bob)).status).toBe(403);
    // Only admins erase; then it is gone.
    expect((await gw.request('DELETE', done.href, { token: supervisor })).status).toBe(403);
    expect((await gw.request('DELETE', done.href, { token: admin })).status).toBe(204);
    expect((await download(done.href)).status).toBe(404);
    expect((await gw.request('DELETE', done.href, { token: admin })).status).toBe(404);
    const listed = await gw.request('GET', `/v1/calls/${call.id}/recordings`, { token: alice });
    expect(listed.body.items.map((r: { state: string }) => r.state)).toEqual(['deleted']);
    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: alice });
  });

  it('leaves a paused span out of the file with pauseBehavior skip', async () => {
    const call = await answeredCall(skipper);
    await record(call.id, 'start', skipper);
    const t0 = performance.now();
    await sleep(1000);
    await record(call.id, 'pause', skipper);
    const tPause = performance.now();
    await sleep(1000);
    await record(call.id, 'resume', skipper);
    const tResume = performance.now();
    await sleep(1000);
    const done = (await record(call.id, 'stop', skipper)).body;
    const t1 = performance.now();
    const wav = parseWav((await download(done.href, skipper)).bytes);
    expect(wav.channels).toBe(2);
    expect(Math.abs(wav.durationSeconds - (t1 - t0 - (tResume - tPause)) / 1000)).toBeLessThanOrEqual(0.5);
    expect(level(wav, 0, 0.1, wav.durationSeconds - 0.1)).toBeGreaterThan(3000);
    expect(level(wav, 1, 0.1, wav.durationSeconds - 0.1)).toBeGreaterThan(3000);
    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: skipper });
  });

  it('removes recordings past the tenant’s recordingRetentionDays, file and all, and keeps the others', async () => {
    const call = await answeredCall(skipper);
    await record(call.id, 'start', skipper);
    await sleep(200);
    const done = (await record(call.id, 'stop', skipper)).body;
    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: skipper });
    const file = join(recordingsDir, 'skipco', `${done.id}.wav`);
    expect(existsSync(file)).toBe(true);
    const sweep = (days: number) => gw.app.get(RecordingsService).sweepRetention(new Date(Date.now() + days * 86_400_000));
    await sweep(29);
    expect((await download(done.href, skipper)).status).toBe(200);
    expect(await sweep(31)).toBeGreaterThanOrEqual(1);
    expect(existsSync(file)).toBe(false);
    expect((await download(done.href, skipper)).status).toBe(404);
    const timeline = await gw.request('GET', `/v1/conversations/${call.conversationId}/timeline`, { token: skipper });
    expect(timeline.body.items.find((i: { type: string }) => i.type === 'recording_deleted')?.data).toEqual({ recordingId: done.id, by: null, reason: 'retention' });
    // Tenants without a retention keep theirs (acme's files are still there).
    expect(readdirSync(join(recordingsDir, 'acme')).length).toBeGreaterThan(0);
  });

  it('records every answered call of an `always` tenant until it ends, and never lets it be stopped', async () => {
    const call = await answeredCall(always);
    let listed: { state: string; href: string | null }[] = [];
    while (listed.length === 0) {
      listed = (await gw.request('GET', `/v1/calls/${call.id}/recordings`, { token: always })).body.items;
      await sleep(20);
    }
    expect(listed[0]!.state).toBe('recording');
    expect((await record(call.id, 'stop', always)).status).toBe(409);
    expect((await record(call.id, 'pause', always)).status).toBe(200);
    expect((await record(call.id, 'resume', always)).status).toBe(200);
    await sleep(500);
    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: always });
    while (listed[0]!.state !== 'available') {
      listed = (await gw.request('GET', `/v1/calls/${call.id}/recordings`, { token: always })).body.items;
      await sleep(20);
    }
    const wav = parseWav((await download(listed[0]!.href!, always)).bytes);
    expect(wav.channels).toBe(2);
    expect(wav.durationSeconds).toBeGreaterThan(0.4);
  });

  it('refuses to record for a tenant that records nothing (422) and a call that is not answered (409)', async () => {
    const call = await answeredCall(off);
    const refused = await record(call.id, 'start', off);
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('recordCalls: off');
    const ended = await answeredCall(alice);
    await gw.request('POST', `/v1/calls/${ended.id}/hangup`, { token: alice });
    expect((await record(ended.id, 'start')).status).toBe(409);
    expect((await record(ended.id, 'rewind')).status).toBe(400);
    expect((await gw.request('POST', `/v1/calls/${ended.id}/recording`, { token: alice, body: { action: null } })).status).toBe(400);
    expect((await gw.request('POST', '/v1/calls/nope/recording', { token: alice, body: { action: 'start' } })).status).toBe(404);
  });

  it('streams both tracks live as 16-bit PCM at the rate the client asks for, pauses with the recording, and stops with the call', async () => {
    const call = await answeredCall(alice);
    expect(await refusal(gw.url, call.id, null)).toBe(401);
    expect(await refusal(gw.url, call.id, stranger)).toBe(404);
    expect(await refusal(gw.url, call.id, bob)).toBe(403);
    expect(await refusal(gw.url, call.id, alice, '?sampleRate=44100')).toBe(400);
    expect(await refusal(gw.url, call.id, alice, '?layout=surround')).toBe(400);

    const client = await AudioClient.connect(gw.url, call.id, alice, '?sampleRate=16000');
    clients.push(client);
    await client.until(() => client.json.length > 0, 'the start frame');
    expect(client.json[0]).toEqual({
      event: 'start', callId: call.id, conversationId: call.conversationId, provider: 'simulator', tracks: ['customer', 'agent'],
      layout: 'tracks', encoding: 'pcm_s16le', sampleRate: 16000, channels: 1, frameMs: 20, paused: false,
    });
    await client.until(() => client.audio.filter((a) => a.channel === 'customer').length >= 50, 'a second of audio');
    // 16 kHz × 2 bytes = 32 bytes per ms, per track: every frame's bytes match the time its timestamps cover.
    for (const track of ['customer', 'agent'] as const) {
      const frames = client.audio.filter((a) => a.channel === track).slice(0, 50);
      const bytes = frames.reduce((sum, f) => sum + f.pcm.length, 0);
      const covered = frames.at(-1)!.timestampMs + 20 - frames[0]!.timestampMs;
      expect(covered).toBe(1000);
      expect(bytes).toBe(32_000);
      expect(rms(new Int16Array(frames[5]!.pcm.buffer.slice(frames[5]!.pcm.byteOffset, frames[5]!.pcm.byteOffset + frames[5]!.pcm.length)))).toBeGreaterThan(3000);
    }

    // A stereo client at 8 kHz on the same call: 8 kHz × 2 channels × 2 bytes = 32 bytes per ms.
    const stereo = await AudioClient.connect(gw.url, call.id, supervisor, '?layout=stereo');
    clients.push(stereo);
    await stereo.until(() => stereo.audio.length >= 50, 'stereo audio');
    const frames = stereo.audio.slice(0, 50);
    expect(frames.every((f) => f.channel === 'stereo')).toBe(true);
    expect(frames.reduce((sum, f) => sum + f.pcm.length, 0)).toBe(32 * (frames.at(-1)!.timestampMs + 20 - frames[0]!.timestampMs));

    // PCI: pausing the recording pauses the stream; nothing but `paused` and later `resumed` comes in between.
    await record(call.id, 'start');
    await record(call.id, 'pause');
    await client.until(() => client.json.some((f) => f.event === 'paused'), 'paused');
    const pausedAt = client.order.lastIndexOf('json:paused');
    const dtmfDuringPause = await gw.request('POST', `/v1/calls/${call.id}/dtmf`, { token: alice, body: { digits: '4111' } });
    expect(dtmfDuringPause.status).toBe(200);
    await sleep(300);
    await record(call.id, 'resume');
    await client.until(() => client.json.some((f) => f.event === 'resumed'), 'resumed');
    const resumedAt = client.order.lastIndexOf('json:resumed');
    expect(client.order.slice(pausedAt + 1, resumedAt)).toEqual([]);
    const dtmf = await gw.request('POST', `/v1/calls/${call.id}/dtmf`, { token: alice, body: { digits: '5' } });
    expect(dtmf.status).toBe(200);
    await client.until(() => client.json.some((f) => f.event === 'dtmf'), 'a dtmf frame');
    expect(client.json.filter((f) => f.event === 'dtmf')).toEqual([expect.objectContaining({ event: 'dtmf', track: 'agent', digit: '5' })]);

    await gw.request('POST', `/v1/calls/${call.id}/hangup`, { token: alice });
    await client.until(() => client.closed !== undefined, 'the close');
    expect(client.json.at(-1)).toMatchObject({ event: 'stop', reason: 'the call ended' });
    expect(client.closed!.code).toBe(1000);
    expect(await refusal(gw.url, call.id, alice)).toBe(409);
  });
});
