import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { AppConfig } from '../../config/config.schema';
import { callableNumber, requestCallback } from '../../callbacks/callback-request';
import { CallbacksService } from '../../callbacks/callbacks.service';
import type { Recording } from '../../media/domain/recording';
import { CallbackUrls } from '../../providers/callbacks/callback-urls';
import { QueueChoiceReceiver, type CallQueueChoice, type QueueChoiceStep } from '../../providers/queue-choice.port';
import type { VoiceProviderName } from '../../providers/voice-provider.port';
import { TenantsService } from '../../tenants/tenants.service';
import { UnitOfWork, type Work } from '../../unit-of-work/unit-of-work';
import { CallsService } from '../calls.service';
import type { Call } from '../domain/call';
import { CALLBACK, QUEUE_CHOICE, VOICEMAIL } from './domain/inbound-offer';
import { choiceOf } from './domain/queue-timeout-offer';
import { InboundSettingsReader } from './inbound-settings';
import { openVoicemail, VOICEMAIL_MAX_SECONDS } from './voicemail-opening';
import { handleOf } from '../call-handle';

/** What the sweeper does next for a caller asked on the simulator, whose key is known at once. */
export type LocalStep = { kind: 'voicemail'; recording: Recording } | { kind: 'done' };

/**
 * The callback half of the queue timeout (tenant policy `queueTimeoutOffer`). `callback`: the call
 * is taken (like voicemail, in place of an agent), its callback task stored, and the caller hears
 * the confirmation before the call ends. `choice`: the call is taken as being asked, the provider
 * asks for one key (CallQueueChoice) and reports it here (`chosen`, from its signed hook): 2 is a
 * callback, anything else — 1, another key, none — a voicemail. Only the first report settles the
 * choice; a replayed hook gets the same step again.
 */
@Injectable()
export class QueueChoiceService extends QueueChoiceReceiver {
  private readonly settings: InboundSettingsReader;

  constructor(
    private readonly uow: UnitOfWork,
    tenants: TenantsService,
    private readonly callbacks: CallbackUrls,
    private readonly tasks: CallbacksService,
    private readonly calls: CallsService,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
    this.settings = new InboundSettingsReader(config, tenants);
  }

  /** Whether the caller can be called back at all: a withheld or non-phone caller gets voicemail instead. */
  canCallBack(call: Call): boolean {
    return callableNumber(call.interaction.from) !== undefined;
  }

  /** Policy `callback`: takes the call, stores its task, and has the provider confirm and end the call; false when an agent or another instance won. */
  async offerCallback(call: Call, choice: CallQueueChoice): Promise<boolean> {
    const taken = await this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.inboundCalls.claimForVoicemail(call.tenantId, call.interaction.id, at, CALLBACK))) return false;
      await this.store(w, call, at);
      return true;
    });
    if (!taken) return false;
    this.logger.info({ callId: call.interaction.id }, 'inbound call waited too long: callback');
    await this.confirm(call, choice);
    return true;
  }

  /** Policy `choice`: takes the call as being asked and asks; a key known at once (simulator) is acted on here. Undefined when another won. */
  async ask(call: Call, choice: CallQueueChoice): Promise<LocalStep | undefined> {
    const taken = await this.uow.run((w) => w.inboundCalls.claimForVoicemail(call.tenantId, call.interaction.id, nowIso(), QUEUE_CHOICE));
    if (!taken) return undefined;
    this.logger.info({ callId: call.interaction.id }, 'inbound call waited too long: the caller is asked to choose');
    const { queueChoicePrompt } = this.settings.of(call.tenantId);
    const outcome = await choice.askQueueChoice(handleOf(call), { prompt: queueChoicePrompt, callbacks: this.callbacks });
    if (outcome.kind === 'reported') return { kind: 'done' };
    const step = await this.chosen(call.interaction.id, outcome.digits);
    if (step.kind === 'callback') {
      await this.confirm(call, choice);
      return { kind: 'done' };
    }
    if (step.kind === 'hangup') return { kind: 'done' };
    const recording = await this.uow.direct.recordings.find(call.tenantId, step.request.recordingId);
    return recording ? { kind: 'voicemail', recording } : { kind: 'done' };
  }

  async chosen(callId: string, digits: string): Promise<QueueChoiceStep> {
    const call = await this.uow.direct.calls.findForCallback(callId, undefined);
    if (!call) return { kind: 'hangup' };
    const { tenantId } = call;
    const settings = this.settings.of(tenantId);
    const wanted = choiceOf(digits) === 'callback' && this.canCallBack(call) ? CALLBACK : VOICEMAIL;
    const settled = await this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.inboundCalls.settleChoice(tenantId, callId, wanted, at))) return undefined;
      if (wanted === CALLBACK) {
        await this.store(w, call, at);
        return { kind: 'callback' } as const;
      }
      return { kind: 'voicemail', recording: await openVoicemail(w, call, settings.queueTimeoutSeconds, at) } as const;
    });
    const step = settled ?? (await this.replayed(call));
    if (step.kind === 'callback') {
      void this.tasks.assignPending(tenantId).catch(() => undefined);
      return { kind: 'callback', prompt: settings.callbackPrompt };
    }
    if (step.kind === 'voicemail') {
      return { kind: 'voicemail', request: { recordingId: step.recording.id, prompt: settings.voicemailPrompt, maxSeconds: VOICEMAIL_MAX_SECONDS } };
    }
    return step;
  }

  /** A hook asked again about a call already settled: the same step, while the call is live. */
  private async replayed(call: Call): Promise<{ kind: 'callback' } | { kind: 'voicemail'; recording: Recording } | { kind: 'hangup' }> {
    const row = await this.uow.direct.inboundCalls.find(call.tenantId, call.interaction.id);
    const live = call.interaction.state === 'ringing' || call.interaction.state === 'initiating';
    if (!live) return { kind: 'hangup' };
    if (row?.answeredBy === CALLBACK) return { kind: 'callback' };
    if (row?.answeredBy === VOICEMAIL) {
      const recording = (await this.uow.direct.recordings.ofCall(call.tenantId, call.interaction.id)).find((r) => r.state === 'recording');
      if (recording) return { kind: 'voicemail', recording };
    }
    return { kind: 'hangup' };
  }

  private async store(w: Work, call: Call, at: string): Promise<void> {
    const number = callableNumber(call.interaction.from)!;
    await requestCallback(w, { tenantId: call.tenantId, conversationId: call.interaction.conversationId, callId: call.interaction.id, number }, at);
  }

  /** The caller hears the confirmation; a provider that knows the caller hung up at once (simulator) has the call ended here. */
  private async confirm(call: Call, choice: CallQueueChoice): Promise<void> {
    void this.tasks.assignPending(call.tenantId).catch(() => undefined);
    const { callbackPrompt } = this.settings.of(call.tenantId);
    const outcome = await choice.confirmCallback(handleOf(call), { prompt: callbackPrompt, callbacks: this.callbacks });
    if (outcome.kind === 'ended') {
      await this.calls.report({ provider: call.interaction.provider as VoiceProviderName, callId: call.interaction.id, providerRef: call.interaction.providerRef ?? '', fact: { kind: 'ended', reason: 'completed' } });
    }
  }
}
