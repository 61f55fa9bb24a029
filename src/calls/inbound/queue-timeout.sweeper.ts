import { writeFile } from 'node:fs/promises';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { PeriodicSweep } from '../../common/periodic-sweep';
import { AppConfig } from '../../config/config.schema';
import type { Recording } from '../../media/domain/recording';
import { BASE_RATE, toLeBytes } from '../../media/domain/pcm';
import { wavHeader } from '../../media/domain/wav';
import { RecordingsService } from '../../media/recordings.service';
import { recordingKey } from '../../media/storage/local-disk.storage';
import { RecordingStorage } from '../../media/storage/recording-storage.port';
import { CallbackUrls } from '../../providers/callbacks/callback-urls';
import { ProviderRegistry } from '../../providers/provider.registry';
import type { VoiceProviderName } from '../../providers/voice-provider.port';
import { voicemailOf, type CallVoicemail } from '../../providers/voicemail.port';
import { TenantsService } from '../../tenants/tenants.service';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import { CallsService } from '../calls.service';
import type { Call } from '../domain/call';
import { ringOutBefore } from './domain/inbound-offer';
import type { InboundCallRow } from './inbound-calls.repository';
import { InboundSettingsReader } from './inbound-settings';
import { queueChoiceOf } from '../../providers/queue-choice.port';
import { timeoutStep } from './domain/queue-timeout-offer';
import { QueueChoiceService } from './queue-choice.service';
import { openVoicemail, VOICEMAIL_MAX_SECONDS } from './voicemail-opening';
import { handleOf } from '../call-handle';

const BATCH = 100;
export { VOICEMAIL_MAX_SECONDS };

/**
 * The queue timeout: every `routing.ringNoAnswerSweepMs` (the RONA sweep's clock), each instance
 * looks for inbound calls nobody answered within the tenant's `queueTimeoutSeconds` (counted from
 * the call's start, across RONA requeues; 0: never). Each goes to voicemail: a conditional update
 * takes the call in place of an agent (one instance wins; an agent clicking at that moment gets
 * 409), a recording is opened and `call.voicemail` announced with its id, then the provider plays
 * the prompt and records. The message becomes the recording's file and arrives as
 * `recording.available` with a `recording_available` timeline entry, like any recording; the call
 * then ends (`completed`, never answered). Calls on a provider without voicemail are left waiting.
 * The tenant's `queueTimeoutOffer` may offer a callback instead, or the choice between the two,
 * where the provider can ask (QueueChoiceService); where it cannot, plain voicemail.
 */
@Injectable()
export class QueueTimeoutSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly settings: InboundSettingsReader;
  private readonly sweeper: PeriodicSweep;
  /** The timed-out calls this instance is handling now, by call id. */
  private readonly handling = new Map<string, Promise<void>>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    private readonly storage: RecordingStorage,
    private readonly recordings: RecordingsService,
    private readonly calls: CallsService,
    private readonly choices: QueueChoiceService,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = new InboundSettingsReader(config, this.tenants);
    this.sweeper = new PeriodicSweep('queue-timeout', () => this.timeOutAll(), logger);
  }

  onModuleInit(): void {
    this.sweeper.start(this.config.routing.ringNoAnswerSweepMs);
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  /** One run now, and the wait for every caller it (or an earlier run) is still talking to: tests call it. */
  async sweep(): Promise<void> {
    await this.sweeper.run();
    await Promise.all(this.handling.values());
  }

  private async timeOutAll(): Promise<void> {
    const able = this.providers.voiceProviders().filter((p) => voicemailOf(p) || queueChoiceOf(p)).map((p) => p.name);
    for (const tenant of this.tenants.all()) {
      const { queueTimeoutSeconds } = this.settings.of(tenant.id);
      if (queueTimeoutSeconds <= 0) continue;
      const waiting = await this.uow.direct.inboundCalls.waitingSince(tenant.id, able, ringOutBefore(nowIso(), queueTimeoutSeconds), BATCH);
      for (const row of waiting) {
        // A caller's question or message can last minutes (SIP records in this process): the sweep
        // goes on without waiting, so the next timed-out caller is not held behind this one.
        if (this.handling.has(row.interactionId)) continue;
        const handled = this.timeOut(row, queueTimeoutSeconds)
          .catch((error: unknown) => {
            this.logger.error({ err: error, callId: row.interactionId }, 'an inbound call could not be sent to voicemail or offered a callback');
          })
          .finally(() => this.handling.delete(row.interactionId));
        this.handling.set(row.interactionId, handled);
      }
    }
  }

  /** The tenant's offer, as far as the call's provider can make it (domain/queue-timeout-offer.ts). */
  private async timeOut(row: InboundCallRow, queueTimeoutSeconds: number): Promise<void> {
    const { tenantId, interactionId } = row;
    const call = await this.uow.direct.calls.find(tenantId, interactionId);
    if (!call) return;
    const provider = this.providers.voiceByName(call.interaction.provider!, call.tenantId);
    const voicemail = voicemailOf(provider);
    const handle = handleOf(call);
    // Not this instance's caller, or not one it can answer: left unclaimed, waiting for an agent.
    if (voicemail?.takesVoicemailFor && !voicemail.takesVoicemailFor(handle)) return;
    // A caller who cannot be called back (withheld number) is offered only voicemail.
    const choice = this.choices.canCallBack(call) ? queueChoiceOf(provider) : undefined;
    const step = timeoutStep(this.settings.of(tenantId).queueTimeoutOffer, { voicemail: Boolean(voicemail), choice: Boolean(choice) });
    if (step === 'callback') {
      await this.choices.offerCallback(call, choice!);
      return;
    }
    if (step === 'choice') {
      const next = await this.choices.ask(call, choice!);
      if (next?.kind === 'voicemail') await this.record(call, voicemail!, next.recording);
      return;
    }
    if (step === 'voicemail') await this.toVoicemail(call, voicemail!, queueTimeoutSeconds);
  }

  private async toVoicemail(call: Call, voicemail: CallVoicemail, queueTimeoutSeconds: number): Promise<void> {
    const interactionId = call.interaction.id;
    const recording = await this.claim(call, queueTimeoutSeconds);
    if (!recording) return;
    this.logger.info({ callId: interactionId, recordingId: recording.id, queueTimeoutSeconds }, 'inbound call waited too long: voicemail');
    await this.record(call, voicemail, recording);
  }

  /** Takes the call for voicemail and opens its recording, with `call.voicemail`; undefined when another instance or an agent won. */
  private claim(call: Call, queueTimeoutSeconds: number): Promise<Recording | undefined> {
    return this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.inboundCalls.claimForVoicemail(call.tenantId, call.interaction.id, at))) return undefined;
      return openVoicemail(w, call, queueTimeoutSeconds, at);
    });
  }

  private async record(call: Call, voicemail: CallVoicemail, recording: Recording): Promise<void> {
    const handle = handleOf(call);
    const { voicemailPrompt } = this.settings.of(call.tenantId);
    let outcome;
    try {
      outcome = await voicemail.takeVoicemail(handle, { recordingId: recording.id, prompt: voicemailPrompt, maxSeconds: VOICEMAIL_MAX_SECONDS, callbacks: this.callbacks });
    } catch (error) {
      await this.uow.run((w) => w.recordings.update({ ...recording, state: 'failed', endedAt: nowIso(), updatedAt: nowIso() }));
      throw error;
    }
    // The provider records and reports the file (its recording callback), and ends the call itself.
    if (outcome.kind === 'reported') return;
    const path = await this.storage.scratchPath();
    const pcm = toLeBytes(outcome.samples);
    await writeFile(path, Buffer.concat([wavHeader(pcm.length, { channels: 1, sampleRate: BASE_RATE }), pcm]));
    const key = recordingKey(call.tenantId, recording.id);
    const size = await this.storage.put(key, path);
    const durationMs = Math.round((outcome.samples.length / BASE_RATE) * 1000);
    await this.recordings.makeAvailable({ ...recording, state: 'stopped', endedAt: nowIso() }, { storageKey: key, size, durationMs, channels: 1 });
    // The caller left the message and hung up.
    await this.calls.report({ provider: call.interaction.provider as VoiceProviderName, callId: call.interaction.id, providerRef: call.interaction.providerRef ?? '', fact: { kind: 'ended', reason: 'completed' } });
  }
}
