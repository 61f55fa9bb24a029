import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { newId } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { AppConfig } from '../../config/config.schema';
import { CallbackUrls } from '../../providers/callbacks/callback-urls';
import { ProviderRegistry } from '../../providers/provider.registry';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import { AudioHub } from '../audio-hub';
import { AudioSession, type AudioStreamOptions } from '../audio-session';
import { TRACKS, type Track } from '../domain/pcm';
import { streamTargetProblem } from './stream-target';
import { callForMedia, liveAudioCall } from '../media-access';
import { connectToReceiver } from './receiver-connection';
import { StreamSigner } from './stream-signing';
import { handleOf } from '../../calls/call-handle';

/** Receivers one call may have at once (a transcriber, an agent-assist bot, a QA tap…). */
export const MAX_STREAMS_PER_CALL = 4;
const CONNECT_TIMEOUT_MS = 5000;

export interface StreamRequest {
  url: string;
  tracks?: Track[];
  format?: 'tracks' | 'stereo';
  sampleRate?: 8000 | 16000;
}

export interface StreamView {
  id: string;
  callId: string;
  url: string;
  tracks: readonly Track[];
  format: 'tracks' | 'stereo';
  sampleRate: 8000 | 16000;
  state: 'streaming';
  startedAt: string;
  /** The `kid` of the key that signed the receiver's token (`GET /v1/streams/keys`). */
  keyId: string;
}

interface PushedStream {
  view: StreamView;
  tenantId: string;
  session: AudioSession;
  socket: WebSocket;
}

/**
 * `POST /v1/calls/:id/streams`: the gateway pushes a call's live audio, in the format of
 * `GET /v1/calls/:id/audio`, to a receiver's WebSocket (a transcription service), presenting a
 * token it signed. A pushed stream is one more listener of the call's audio on this instance, so
 * a recording's PCI pause pauses it and the call's end ends it, like a socket client's.
 */
@Injectable()
export class AudioStreamsService {
  private readonly streams = new Map<string, PushedStream>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    private readonly hub: AudioHub,
    private readonly signer: StreamSigner,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(principal: Principal, callId: string, request: StreamRequest): Promise<StreamView> {
    const options = streamOptions(request);
    const problem = streamTargetProblem(request.url, this.config.media.streamTargets);
    if (problem) throw DomainError.invalidField('url', problem);
    const { call, media } = await liveAudioCall(this.uow.direct, this.providers, principal, callId);
    if (this.ofCall(principal.tenantId, callId).length >= MAX_STREAMS_PER_CALL) {
      throw new DomainError(ErrorCode.Conflict, `a call may have at most ${MAX_STREAMS_PER_CALL} pushed streams at once`);
    }
    const id = newId();
    const token = await this.signer.sign({ streamId: id, callId, conversationId: call.interaction.conversationId, tenantId: principal.tenantId, url: request.url });
    const socket = await connectToReceiver(request.url, { token, targets: this.config.media.streamTargets, timeoutMs: CONNECT_TIMEOUT_MS });
    // The call may have ended while the receiver answered: nothing to stream then.
    const still = await this.uow.direct.calls.find(principal.tenantId, callId);
    if (!still || (still.interaction.state !== 'answered' && still.interaction.state !== 'held')) {
      socket.close(1000, 'the call ended');
      throw new DomainError(ErrorCode.Conflict, 'the call ended before the receiver answered');
    }
    const view: StreamView = {
      id, callId, url: request.url, tracks: options.tracks ?? TRACKS, format: options.layout, sampleRate: options.sampleRate,
      state: 'streaming', startedAt: new Date().toISOString(), keyId: this.signer.keyId,
    };
    const session = new AudioSession(socket, options, {
      streamId: id, callId, conversationId: call.interaction.conversationId, provider: call.interaction.provider!, paused: this.hub.isPaused(callId),
    }, this.config.events.maxBufferedBytes);
    this.streams.set(id, { view, tenantId: principal.tenantId, session, socket });
    const forget = () => { session.dispose(); this.streams.delete(id); };
    // Whatever the receiver sends is ignored; its closing the socket stops the stream.
    socket.on('close', forget);
    socket.on('error', (error) => { this.logger.warn({ err: error, streamId: id, callId }, 'a pushed audio stream failed'); forget(); });
    const handle = handleOf(call);
    session.unlisten = this.hub.listen(callId, session, (sink) => media.startAudio(handle, sink, this.callbacks));
    return view;
  }

  async list(principal: Principal, callId: string): Promise<StreamView[]> {
    await callForMedia(this.uow.direct, principal, callId);
    return this.ofCall(principal.tenantId, callId).map((s) => s.view);
  }

  async stop(principal: Principal, callId: string, streamId: string): Promise<void> {
    await callForMedia(this.uow.direct, principal, callId);
    const stream = this.streams.get(streamId);
    if (!stream || stream.tenantId !== principal.tenantId || stream.view.callId !== callId) throw DomainError.notFound('stream');
    stream.session.close(1000, 'the stream was stopped');
    this.streams.delete(streamId);
  }

  private ofCall(tenantId: string, callId: string): PushedStream[] {
    return [...this.streams.values()].filter((s) => s.tenantId === tenantId && s.view.callId === callId);
  }
}

/** The stream's format: 8 kHz tracks by default; a stereo stream carries both tracks. */
function streamOptions(request: StreamRequest): AudioStreamOptions {
  const layout = request.format ?? 'tracks';
  const tracks = request.tracks ? TRACKS.filter((t) => request.tracks!.includes(t)) : undefined;
  if (layout === 'stereo' && tracks && tracks.length !== TRACKS.length) {
    throw DomainError.invalidField('tracks', 'a stereo stream carries both tracks (customer and agent)');
  }
  return { sampleRate: request.sampleRate ?? 8000, layout, tracks };
}
