import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aTenant, quietLogger, tenantsOf } from '../../../test/support/service-doubles';
import type { AppConfig } from '../../config/config.schema';
import { rms, tone } from '../../media/domain/pcm';
import { channelOf, parseWav } from '../../media/domain/wav';
import { AudioHub } from '../../media/audio-hub';
import { RecordingsService } from '../../media/recordings.service';
import { LocalDiskRecordingStorage } from '../../media/storage/local-disk.storage';
import type { CallbackUrls } from '../../providers/callbacks/callback-urls';
import type { ProviderRegistry } from '../../providers/provider.registry';
import type { VoicemailRequest } from '../../providers/voicemail.port';
import { CallsService } from '../calls.service';
import { answerRefusal } from './domain/inbound-offer';
import { QueueTimeoutSweeper } from './queue-timeout.sweeper';

describe('QueueTimeoutSweeper', () => {
  let uow: MemoryUnitOfWork;
  let dir: string;
  let storage: LocalDiskRecordingStorage;
  const asked: VoicemailRequest[] = [];
  // A provider that has the caller's message at once (as the simulator does): two seconds of 440 Hz.
  const simulator = { name: 'simulator', async takeVoicemail(_call: unknown, request: VoicemailRequest) { asked.push(request); return { kind: 'audio', samples: tone(440, 0, 16_000) }; } };
  // jambonz is configured but takes no voicemail: its calls keep waiting.
  const jambonz = { name: 'jambonz' };
  const providers = {
    voiceByName: (name: string) => (name === 'simulator' ? simulator : undefined),
    voiceProviders: () => [jambonz, simulator],
  } as unknown as ProviderRegistry;
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  function sweeper(queueTimeoutSeconds: number | undefined): QueueTimeoutSweeper {
    const tenants = tenantsOf(aTenant());
    const config = { routing: { ringNoAnswerSweepMs: 1000 }, tenants: [{ id: 'acme', queueTimeoutSeconds, voicemailPrompt: 'Leave a message.' }] } as AppConfig;
    const callbacks = {} as CallbackUrls;
    const recordings = new RecordingsService(uow, tenants, providers, callbacks, storage, new AudioHub(), quietLogger());
    const calls = new CallsService(uow, tenants, providers, callbacks, quietLogger());
    return new QueueTimeoutSweeper(uow, tenants, providers, callbacks, storage, recordings, calls, config, quietLogger());
  }

  beforeEach(async () => {
    asked.length = 0;
    uow = memoryUnitOfWork();
    dir = await mkdtemp(join(tmpdir(), 'voicemail-'));
    storage = new LocalDiskRecordingStorage(dir);
  });

  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  async function waiting(startedAt: string, options: { offeredTo?: string | null; state?: string; provider?: string } = {}): Promise<{ callId: string; conversationId: string }> {
    const contact = aContact();
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: null });
    await uow.direct.conversations.insert(conversation);
    const callId = `call-${uow.state.interactions.size + 1}`;
    await uow.direct.calls.insert({
      tenantId: 'acme',
      interaction: {
        id: callId, conversationId: conversation.id, channel: 'voice', direction: 'inbound', state: options.state ?? 'ringing',
        provider: options.provider ?? 'simulator', providerRef: `SIM-${callId}`, from: contact.phone, to: '+14155550000', origin: null, endReason: null,
        startedAt, endedAt: null, updatedAt: startedAt,
      },
      details: { agentEndpoint: '', callerId: '+14155550000', muted: false, answeredAt: null, consent: null, refs: {} },
    });
    // A RONA requeue moved the offer since: the timeout counts from the call's start, not the offer.
    await uow.direct.inboundCalls.insert({ interactionId: callId, tenantId: 'acme', offeredTo: options.offeredTo ?? null, offeredAt: ago(1), answeredBy: null, answeredAt: null });
    return { callId, conversationId: conversation.id };
  }

  it('sends a caller who waited past queueTimeoutSeconds to voicemail: the message is a recording in the timeline, then the call ends; once however often it sweeps', async () => {
    const { callId, conversationId } = await waiting(ago(30), { offeredTo: 'alice' });
    const recent = await waiting(ago(2));
    await sweeper(10).sweep();
    await sweeper(10).sweep();

    const recordingId = uow.emitted('call.voicemail')[0]!.data.recordingId as string;
    expect(uow.emitted('call.voicemail', 'recording.available', 'call.ended').map((e) => [e.type, e.interactionId])).toEqual([
      ['call.voicemail', callId], ['recording.available', callId], ['call.ended', callId],
    ]);
    expect(uow.emitted('call.voicemail')[0]!.data).toEqual({ recordingId, queueTimeoutSeconds: 10 });
    expect(asked.map((r) => [r.recordingId, r.prompt, r.maxSeconds])).toEqual([[recordingId, 'Leave a message.', 120]]);
    expect(uow.emitted('recording.available')[0]!.data).toMatchObject({ recordingId, channels: 1, durationMs: 2000 });
    expect(uow.state.interactions.get(callId)).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(uow.state.interactions.get(recent.callId)!.state).toBe('ringing');

    const timeline = uow.state.timeline.filter((e) => e.conversationId === conversationId).map((e) => [e.kind, e.data.recordingId]);
    expect(timeline).toEqual(expect.arrayContaining([['voicemail', recordingId], ['recording_available', recordingId]]));

    const recording = (await uow.direct.recordings.find('acme', recordingId))!;
    expect(recording).toMatchObject({ state: 'available', callId, conversationId, startedBy: null, contentType: 'audio/wav' });
    const wav = parseWav(await readFile(join(dir, recording.storageKey!)));
    expect(wav).toMatchObject({ channels: 1, sampleRate: 8000, durationSeconds: 2 });
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(1000); // the caller's message, not silence

    // An agent clicking now is refused: the caller is in voicemail.
    const offer = (await uow.direct.inboundCalls.find('acme', callId))!;
    expect(await uow.direct.inboundCalls.claimAnswer('acme', callId, 'alice', ago(0))).toBe(false);
    expect(answerRefusal({ state: 'ringing', offeredTo: offer.offeredTo, answeredBy: offer.answeredBy }, 'alice')).toMatch(/voicemail/);
  });

  it('is not held up by calls on a provider without voicemail, however many wait longer', async () => {
    for (let i = 0; i < 101; i++) await waiting(ago(60), { provider: 'jambonz' });
    const { callId } = await waiting(ago(30));
    await sweeper(10).sweep();
    expect(uow.emitted('call.voicemail').map((e) => e.interactionId)).toEqual([callId]);
  });

  it('leaves calls alone when the tenant has no queue timeout (0 or unset), and answered, ended or voicemail-less calls', async () => {
    await waiting(ago(3600));
    await sweeper(0).sweep();
    await sweeper(undefined).sweep();
    expect(uow.emitted()).toEqual([]);

    await waiting(ago(30), { state: 'ended' });
    await waiting(ago(30), { provider: 'jambonz' });
    const answered = await waiting(ago(30));
    await uow.direct.inboundCalls.claimAnswer('acme', answered.callId, 'bob', ago(1));
    await uow.direct.inboundCalls.claimAnswer('acme', (await waiting(ago(60))).callId, 'carol', ago(1));
    await sweeper(10).sweep();
    expect(uow.emitted('call.voicemail').map((e) => e.interactionId)).toEqual(['call-1']);
  });
});
