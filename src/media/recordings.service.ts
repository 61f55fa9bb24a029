import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { newId, nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import type { Call } from '../calls/domain/call';
import { CallbackUrls } from '../providers/callbacks/callback-urls';
import { mediaOf, RecordingReportReceiver, type CallMedia } from '../providers/call-media.port';
import { MediaRedirectRefused } from '../providers/media-fetch';
import { ProviderRegistry } from '../providers/provider.registry';
import { VoiceProviderError, type CallHandle } from '../providers/voice-provider.port';
import { isUniqueViolation } from '../storage/store';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork, type Work } from '../unit-of-work/unit-of-work';
import { AudioHub } from './audio-hub';
import type { Recording } from './domain/recording';
import { decide, isLive, type RecordingAction } from './domain/recording-state';
import { parseWav, WAV_HEADER_BYTES } from './domain/wav';
import { GatewayRecorder } from './gateway-recorder';
import { callForMedia } from './media-access';
import { recordingHref, recordingView, type RecordingView } from './recording.view';
import { recordingKey } from './storage/local-disk.storage';
import { RecordingStorage } from './storage/recording-storage.port';
import { handleOf } from '../calls/call-handle';

type StepEvent = 'recording.started' | 'recording.paused' | 'recording.resumed' | 'recording.stopped';
const STEP_OF: Record<StepEvent, string> = {
  'recording.started': 'recording_started', 'recording.paused': 'recording_paused',
  'recording.resumed': 'recording_resumed', 'recording.stopped': 'recording_stopped',
};

/**
 * Recording calls (`POST /v1/calls/:id/recording`): checks who asks and the tenant's policy,
 * has the provider record (`native`) or records the call's live audio itself (`gateway`), and
 * turns a finished file into an attachment of the conversation (`recording.available` and a
 * timeline entry, in the transaction that makes it available).
 *
 * Recordings the gateway writes itself live on the instance that started them until they end
 * (their audio arrives there); the call's end on that instance finishes them.
 */
@Injectable()
export class RecordingsService extends RecordingReportReceiver {
  private readonly recorders = new Map<string, { recorder: GatewayRecorder; unlisten: () => void }>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    private readonly storage: RecordingStorage,
    private readonly hub: AudioHub,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async command(principal: Principal, callId: string, action: RecordingAction): Promise<RecordingView> {
    const call = await callForMedia(this.uow.direct, principal, callId);
    const result = await this.apply(call, action, principal.agentId);
    return recordingView(result);
  }

  /** The tenant's `always` policy: the call was answered. */
  async recordAnswered(tenantId: string, callId: string): Promise<void> {
    const tenant = this.tenants.get(tenantId);
    if (tenant.recordCalls !== 'always') return;
    const call = await this.uow.direct.calls.find(tenantId, callId);
    if (!call || this.providers.capabilityRefusal(call.interaction.provider!, 'record')) return;
    await this.apply(call, 'start', null).catch((error: unknown) => {
      // A second answer report, or a race with an agent's start: the call is recorded either way.
      if (!(error instanceof DomainError && error.code === ErrorCode.Conflict)) throw error;
    });
  }

  /** The call is over: what the gateway records is finished and stored; a provider's recording ends with the call. */
  async callEnded(tenantId: string, callId: string): Promise<void> {
    const recordings = await this.uow.direct.recordings.ofCall(tenantId, callId);
    for (const r of recordings.filter((x) => isLive(x.state))) {
      if (this.recorders.has(r.id)) await this.finishGatewayRecording(r.id, null);
      else if (r.providerRef) await this.store(r, 'recording.stopped', { state: 'stopped', endedAt: nowIso() }, null);
    }
    this.hub.end(callId, 'the call ended');
  }

  /** Finishes every recording this instance writes (shutdown): what was recorded so far is kept. */
  async finishAll(): Promise<void> {
    for (const id of [...this.recorders.keys()]) await this.finishGatewayRecording(id, null).catch((error: unknown) => {
      this.logger.error({ err: error, recordingId: id }, 'a recording could not be finished');
    });
  }

  async find(principal: Principal, id: string): Promise<Recording> {
    const recording = await this.uow.direct.recordings.find(principal.tenantId, id);
    if (!recording) throw DomainError.notFound('recording');
    await callForMedia(this.uow.direct, principal, recording.callId);
    return recording;
  }

  /** Erasure (admins): the file is removed, the row says when. */
  async delete(principal: Principal, id: string): Promise<void> {
    const recording = await this.uow.direct.recordings.find(principal.tenantId, id);
    if (!recording || recording.state === 'deleted') throw DomainError.notFound('recording');
    if (isLive(recording.state)) throw new DomainError(ErrorCode.Conflict, 'the recording is still going on: stop it first');
    await this.erase(recording, principal.agentId);
  }

  /** Removes the recordings past their tenant's retention; how many. */
  async sweepRetention(now = new Date()): Promise<number> {
    let removed = 0;
    for (const tenant of this.tenants.all()) {
      if (tenant.recordingRetentionDays <= 0) continue;
      const before = new Date(now.getTime() - tenant.recordingRetentionDays * 86_400_000).toISOString();
      for (const r of await this.uow.direct.recordings.availableBefore(tenant.id, before, 500)) {
        await this.erase(r, null);
        removed += 1;
      }
    }
    return removed;
  }

  async recorded(report: { provider: string; recordingId: string; providerRef: string; fetch: () => Promise<Response | undefined> }): Promise<'stored' | 'unknown'> {
    const recording = await this.reportedRecording(report);
    if (!recording) return 'unknown';
    if (recording.state === 'available' || recording.state === 'deleted') return 'stored';
    const response = await report.fetch().catch((error: unknown) => {
      if (error instanceof MediaRedirectRefused) throw new DomainError(ErrorCode.BadGateway, `the provider's recording answer was refused: ${error.message}`);
      throw new DomainError(ErrorCode.Unavailable, 'the provider did not deliver the recording; retry later');
    });
    if (!response) throw new DomainError(ErrorCode.Unprocessable, 'the recording is not on a media host of its provider');
    if (!response.ok || !response.body) throw new DomainError(ErrorCode.Unavailable, `the provider answered ${response.status} for the recording; retry later`);
    const path = await this.storage.scratchPath();
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(path));
      const format = await wavFormatOf(path);
      const key = recordingKey(recording.tenantId, recording.id);
      const size = await this.storage.put(key, path);
      const durationMs = Math.round(((size - format.dataOffset) / (format.channels * 2 * format.sampleRate)) * 1000);
      await this.makeAvailable(recording, { storageKey: key, size, durationMs, channels: format.channels });
      return 'stored';
    } finally {
      await rm(path, { force: true });
    }
  }

  async absent(report: { provider: string; recordingId: string; providerRef: string }): Promise<void> {
    const recording = await this.reportedRecording(report);
    if (!recording) return;
    if (recording.state === 'available' || recording.state === 'deleted' || recording.state === 'failed') return;
    await this.uow.run(async (w) => w.recordings.update({ ...recording, state: 'failed', endedAt: recording.endedAt ?? nowIso(), updatedAt: nowIso() }));
  }

  /**
   * The recording a provider's report is about: ours (the signed `rid`), of that provider, and with
   * the provider's id it gave us. A voicemail's provider gives its id only in this report (Twilio
   * `<Record>`): a recording of that provider still without one adopts it, once.
   */
  private async reportedRecording(report: { provider: string; recordingId: string; providerRef: string }): Promise<Recording | undefined> {
    const recording = await this.uow.direct.recordings.findById(report.recordingId);
    if (!recording || recording.provider !== report.provider) return undefined;
    if (recording.providerRef === null) return { ...recording, providerRef: report.providerRef };
    return recording.providerRef === report.providerRef ? recording : undefined;
  }

  private async apply(call: Call, action: RecordingAction, by: string | null): Promise<Recording> {
    const tenant = this.tenants.get(call.tenantId);
    const providerName = call.interaction.provider!;
    const lacking = this.providers.capabilityRefusal(providerName, 'record');
    const media = mediaOf(this.providers.voiceByName(providerName, call.tenantId));
    if (lacking || !media) throw new DomainError(ErrorCode.Unprocessable, `the provider cannot record this call: ${lacking ?? `${providerName} is not configured`}`);
    const live = (await this.uow.direct.recordings.ofCall(call.tenantId, call.interaction.id)).find((r) => isLive(r.state));
    const decision = decide(live?.state, action, tenant.recordCalls, call.interaction.state === 'answered' || call.interaction.state === 'held');
    if (!decision.ok) throw new DomainError(decision.status === 422 ? ErrorCode.Unprocessable : ErrorCode.Conflict, decision.reason);
    const handle = handleOf(call);
    switch (decision.step) {
      case 'start': return this.start(call, media, handle, tenant.pauseBehavior, by);
      case 'pause':
      case 'resume': {
        const paused = decision.step === 'pause';
        if (media.recordingMode === 'native') {
          await attempt(decision.step, () => media.updateRecording!(handle, live!.providerRef!, paused ? 'paused' : 'in-progress', live!.pauseBehavior));
        }
        // PCI: the live audio streams of the call pause with its recording.
        this.hub.setPaused(call.interaction.id, paused);
        return this.store(live!, paused ? 'recording.paused' : 'recording.resumed', { state: paused ? 'paused' : 'recording' }, by);
      }
      case 'stop':
        this.hub.setPaused(call.interaction.id, false);
        if (media.recordingMode === 'native') {
          await attempt('stop', () => media.updateRecording!(handle, live!.providerRef!, 'stopped', live!.pauseBehavior));
          return this.store(live!, 'recording.stopped', { state: 'stopped', endedAt: nowIso() }, by);
        }
        return this.finishGatewayRecording(live!.id, by);
    }
  }

  private async start(call: Call, media: CallMedia, handle: CallHandle, pauseBehavior: Recording['pauseBehavior'], by: string | null): Promise<Recording> {
    const id = newId();
    const callbacks = this.callbacks;
    const providerRef = media.recordingMode === 'native' ? await attempt('start', () => media.startRecording!(handle, { id, callbacks })) : null;
    const recorder = media.recordingMode === 'gateway' ? await GatewayRecorder.create(await this.storage.scratchPath(), pauseBehavior) : undefined;
    const at = nowIso();
    const recording: Recording = {
      id, tenantId: call.tenantId, callId: call.interaction.id, conversationId: call.interaction.conversationId, provider: call.interaction.provider!,
      providerRef, state: 'recording', pauseBehavior, startedBy: by, storageKey: null, contentType: null, size: null, durationMs: null,
      channels: null, startedAt: at, endedAt: null, availableAt: null, deletedAt: null, updatedAt: at,
    };
    try {
      await this.uow.run(async (w) => {
        await w.recordings.insert(recording);
        await this.announce(w, recording, 'recording.started', by, at);
      });
    } catch (error) {
      await recorder?.discard();
      if (providerRef) await media.updateRecording!(handle, providerRef, 'stopped', pauseBehavior).catch(() => undefined);
      if (isUniqueViolation(error)) throw new DomainError(ErrorCode.Conflict, 'the call is already being recorded');
      throw error;
    }
    if (recorder) {
      // The call's audio ending by itself (the provider closed it) finishes the recording too.
      recorder.onEnd = () => void this.finishGatewayRecording(id, null).catch((error: unknown) => this.logger.error({ err: error, recordingId: id }, 'a recording could not be finished'));
      const unlisten = this.hub.listen(call.interaction.id, recorder, (sink) => media.startAudio(handle, sink, callbacks));
      this.recorders.set(id, { recorder, unlisten });
    }
    this.logger.info({ callId: call.interaction.id, recordingId: id, mode: media.recordingMode }, 'recording started');
    return recording;
  }

  /** Writes the gateway's own recording out and makes it available (once, whoever asks first). */
  private async finishGatewayRecording(id: string, by: string | null): Promise<Recording> {
    const entry = this.recorders.get(id);
    const recording = await this.findAny(id);
    if (!entry) {
      // Started on another instance (or before a crash): its audio is not here to write.
      if (recording && isLive(recording.state)) return this.store(recording, 'recording.stopped', { state: 'failed', endedAt: nowIso() }, by);
      throw new DomainError(ErrorCode.Conflict, 'the recording is being finished already');
    }
    this.recorders.delete(id);
    entry.recorder.onEnd = undefined;
    entry.unlisten();
    const durationMs = await entry.recorder.finish();
    const key = recordingKey(recording!.tenantId, id);
    const size = await this.storage.put(key, entry.recorder.path);
    const stopped = await this.store(recording!, 'recording.stopped', { state: 'stopped', endedAt: nowIso() }, by);
    return this.makeAvailable(stopped, { storageKey: key, size, durationMs, channels: 2 });
  }

  private findAny(id: string): Promise<Recording | undefined> {
    return this.uow.direct.recordings.findById(id);
  }

  /** Stores a state change of a recording with its event and timeline entry. */
  private async store(recording: Recording, event: StepEvent, change: Partial<Recording>, by: string | null): Promise<Recording> {
    const at = nowIso();
    const next: Recording = { ...recording, ...change, updatedAt: at };
    await this.uow.run(async (w) => {
      await w.recordings.update(next);
      await this.announce(w, next, event, by, at);
    });
    return next;
  }

  /** The recording's file is stored: it becomes an attachment of the conversation (also a voicemail the gateway stored). */
  async makeAvailable(recording: Recording, file: { storageKey: string; size: number; durationMs: number; channels: number }): Promise<Recording> {
    const at = nowIso();
    const next: Recording = { ...recording, ...file, contentType: 'audio/wav', state: 'available', endedAt: recording.endedAt ?? at, availableAt: at, updatedAt: at };
    await this.uow.run(async (w) => {
      await w.recordings.update(next);
      const data = { recordingId: next.id, href: recordingHref(next.id), contentType: 'audio/wav', channels: file.channels, durationMs: file.durationMs, size: file.size };
      await w.timeline.append(next.tenantId, { conversationId: next.conversationId, interactionId: next.callId, kind: 'recording_available', at, data });
      await w.conversations.touch(next.tenantId, next.conversationId, at);
      const conversation = await w.conversations.findById(next.tenantId, next.conversationId);
      await w.emit(next.tenantId, [{ type: 'recording.available', conversationId: next.conversationId, interactionId: next.callId, agentId: conversation?.agentId ?? null, data }], at);
    });
    this.logger.info({ recordingId: next.id, callId: next.callId, durationMs: file.durationMs }, 'recording available');
    return next;
  }

  private async erase(recording: Recording, by: string | null): Promise<void> {
    if (recording.storageKey) await this.storage.delete(recording.storageKey);
    const at = nowIso();
    await this.uow.run(async (w) => {
      await w.recordings.update({ ...recording, state: 'deleted', storageKey: null, deletedAt: at, updatedAt: at });
      await w.timeline.append(recording.tenantId, {
        conversationId: recording.conversationId, interactionId: recording.callId, kind: 'recording_deleted', at,
        data: { recordingId: recording.id, by, reason: by ? 'erasure' : 'retention' },
      });
    });
  }

  private async announce(w: Work, r: Recording, event: StepEvent, by: string | null, at: string): Promise<void> {
    const state = r.state === 'paused' ? 'paused' : r.state === 'recording' ? 'recording' : 'stopped';
    const data = { recordingId: r.id, state, pauseBehavior: r.pauseBehavior, by } as const;
    await w.timeline.append(r.tenantId, { conversationId: r.conversationId, interactionId: r.callId, kind: STEP_OF[event], at, data });
    const conversation = await w.conversations.findById(r.tenantId, r.conversationId);
    await w.emit(r.tenantId, [{ type: event, conversationId: r.conversationId, interactionId: r.callId, agentId: conversation?.agentId ?? null, data }], at);
  }
}

async function attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VoiceProviderError) {
      throw new DomainError(error.unsupported ? ErrorCode.Unprocessable : ErrorCode.BadGateway, `the provider did not ${what} the recording: ${error.message}`);
    }
    throw error;
  }
}

/** The format of a fetched recording, from its first bytes; refuses anything but 16-bit PCM WAV. */
async function wavFormatOf(path: string): Promise<{ channels: number; sampleRate: number; dataOffset: number }> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead < WAV_HEADER_BYTES) throw new Error('too short');
    return parseWav(head.subarray(0, bytesRead));
  } catch (error) {
    throw new DomainError(ErrorCode.BadGateway, `the provider's recording is not a 16-bit PCM WAV file: ${(error as Error).message}`);
  } finally {
    await file.close();
  }
}
