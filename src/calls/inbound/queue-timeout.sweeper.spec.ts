import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aTenant, quietLogger, tenantsOf } from '../../../test/support/service-doubles';
import { eventually } from '../../../test/support/eventually';
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
import { QueueChoiceService } from './queue-choice.service';
import { CallbacksService } from '../../callbacks/callbacks.service';
import { PresenceService } from '../../routing/presence.service';

describe('QueueTimeoutSweeper', () => {
  let uow: MemoryUnitOfWork;
  let dir: string;
  let storage: LocalDiskRecordingStorage;
  const asked: VoicemailRequest[] = [];
  // A provider that has the caller's message at once (as the simulator does): two seconds of 440 Hz.
  const simulator = {
    name: 'simulator',
    async takeVoicemail(_call: unknown, request: VoicemailRequest) {
      asked.push(request);
      if (asked.length === 1) await firstMessage; // the first caller may still be speaking
      return { kind: 'audio', samples: tone(440, 0, 16_000) };
    },
    // The caller presses `keys` when asked (as the simulator's scripted caller does), and hangs up after the confirmation.
    async askQueueChoice(_call: unknown, request: { prompt: string }) { prompts.push(request.prompt); return { kind: 'pressed', digits: keys }; },
    async confirmCallback(_call: unknown, request: { prompt: string }) { prompts.push(request.prompt); return { kind: 'ended' }; },
  };
  const prompts: string[] = [];
  let keys = '';
  let firstMessage: Promise<void> = Promise.resolve();
  // jambonz is configured but takes no voicemail: its calls keep waiting.
  const jambonz = { name: 'jambonz' };
  const providers = {
    voiceByName: (name: string) => (name === 'simulator' ? simulator : undefined),
    voiceProviders: () => [jambonz, simulator],
  } as unknown as ProviderRegistry;
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  function sweeper(queueTimeoutSeconds: number | undefined, queueTimeoutOffer?: 'voicemail' | 'callback' | 'choice'): QueueTimeoutSweeper {
    const tenants = tenantsOf(aTenant());
    const config = {
      routing: { ringNoAnswerSweepMs: 1000 }, events: { heartbeatMs: 1000 },
      tenants: [{ id: 'acme', queueTimeoutSeconds, voicemailPrompt: 'Leave a message.', queueTimeoutOffer, callbackPrompt: 'We will call you.', queueChoicePrompt: 'Press 1 or 2.' }],
    } as AppConfig;
    const callbacks = {} as CallbackUrls;
    const recordings = new RecordingsService(uow, tenants, providers, callbacks, storage, new AudioHub(), quietLogger());
    const calls = new CallsService(uow, tenants, providers, callbacks, quietLogger());
    const tasks = new CallbacksService(uow, tenants, new PresenceService(uow, config, quietLogger()), calls, config, quietLogger());
    const choices = new QueueChoiceService(uow, tenants, callbacks, tasks, calls, config, quietLogger());
    return new QueueTimeoutSweeper(uow, tenants, providers, callbacks, storage, recordings, calls, choices, config, quietLogger());
  }

  beforeEach(async () => {
    asked.length = 0;
    prompts.length = 0;
    firstMessage = Promise.resolve();
    keys = '';
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

  it('does not keep the next timed-out caller waiting while an earlier one is still leaving a message', async () => {
    let finish!: () => void;
    firstMessage = new Promise((resolve) => (finish = resolve));
    const first = await waiting(ago(40));
    const second = await waiting(ago(30));
    const sweeps = sweeper(10);
    const done = sweeps.sweep();
    // Both callers hear the prompt, and the second one's message is stored, while the first one is
    // still speaking (it cannot end before finish()). Waited for, not slept on: a fixed 50 ms was
    // too short on a loaded machine.
    await eventually(() => expect(uow.state.interactions.get(second.callId)).toMatchObject({ state: 'ended', endReason: 'completed' }), 10_000);
    expect(asked).toHaveLength(2);
    expect(uow.state.interactions.get(first.callId)!.state).not.toBe('ended');
    finish();
    await done;
    expect(uow.state.interactions.get(first.callId)).toMatchObject({ state: 'ended', endReason: 'completed' });
    firstMessage = Promise.resolve();
  });

  it("leaves a call unclaimed, for agents to answer, when the provider cannot take its voicemail here (SIP: another instance's caller, or one on ringback)", async () => {
    const { callId } = await waiting(ago(30));
    const here = Object.assign(simulator, { takesVoicemailFor: (call: { providerRef: string }) => call.providerRef !== `SIM-${callId}` });
    try {
      await sweeper(10, 'choice').sweep();
      expect(asked).toEqual([]);
      expect(prompts).toEqual([]);
      expect(uow.emitted()).toEqual([]);
      expect(await uow.direct.inboundCalls.claimAnswer('acme', callId, 'alice', ago(0))).toBe(true);
    } finally {
      delete (here as { takesVoicemailFor?: unknown }).takesVoicemailFor;
    }
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

  it('policy callback: no question; the task is stored pending (nobody online) with its timeline entry, the caller hears the confirmation, the call ends; once however often it sweeps', async () => {
    const { callId, conversationId } = await waiting(ago(30));
    await sweeper(10, 'callback').sweep();
    await sweeper(10, 'callback').sweep();
    expect(prompts).toEqual(['We will call you.']);
    expect(asked).toEqual([]);
    const tasks = [...uow.state.callbackTasks.values()];
    expect(tasks).toEqual([expect.objectContaining({ callId, conversationId, number: '+14155550100', state: 'pending', agentId: null })]);
    expect(uow.emitted('callback.requested').map((e) => [e.conversationId, e.data])).toEqual([[conversationId, { callbackId: tasks[0]!.id, callId, number: '+14155550100' }]]);
    expect(uow.state.timeline.filter((e) => e.kind === 'callback_requested').map((e) => e.interactionId)).toEqual([callId]);
    expect(uow.state.interactions.get(callId)).toMatchObject({ state: 'ended', endReason: 'completed' });
    const offer = (await uow.direct.inboundCalls.find('acme', callId))!;
    expect(answerRefusal({ state: 'ringing', offeredTo: offer.offeredTo, answeredBy: offer.answeredBy }, 'alice')).toMatch(/callback/);
  });

  it.each([['2', 'callback'], ['1', 'voicemail'], ['', 'voicemail'], ['9', 'voicemail']])('policy choice, key %j: %s', async (pressed, outcome) => {
    keys = pressed;
    const { callId } = await waiting(ago(30));
    await sweeper(10, 'choice').sweep();
    expect(prompts[0]).toBe('Press 1 or 2.');
    if (outcome === 'callback') {
      expect(prompts).toEqual(['Press 1 or 2.', 'We will call you.']);
      expect([...uow.state.callbackTasks.values()].map((t) => t.callId)).toEqual([callId]);
      expect(uow.emitted('call.voicemail')).toEqual([]);
    } else {
      expect(uow.state.callbackTasks.size).toBe(0);
      expect(uow.emitted('call.voicemail', 'recording.available').map((e) => e.type)).toEqual(['call.voicemail', 'recording.available']);
      expect(asked).toHaveLength(1);
    }
    expect(uow.state.interactions.get(callId)).toMatchObject({ state: 'ended', endReason: 'completed' });
  });

  it('a caller without a phone number to call back gets plain voicemail whatever the policy', async () => {
    keys = '2';
    const { callId } = await waiting(ago(30));
    uow.state.interactions.get(callId)!.from = 'anonymous';
    await sweeper(10, 'callback').sweep();
    expect(prompts).toEqual([]);
    expect(uow.state.callbackTasks.size).toBe(0);
    expect(uow.emitted('call.voicemail').map((e) => e.interactionId)).toEqual([callId]);
  });
});
