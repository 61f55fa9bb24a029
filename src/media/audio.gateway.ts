import { Inject } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { bearerToken, JwtAuthGuard } from '../common/auth/jwt-auth.guard';
import { DomainError } from '../common/errors/domain-error';
import { LOGGER } from '../common/logging/logger.token';
import type { Call } from '../calls/domain/call';
import { AppConfig } from '../config/config.schema';
import type { Principal } from '../common/auth/principal';
import { CallbackUrls } from '../providers/callbacks/callback-urls';
import { mediaOf } from '../providers/call-media.port';
import { ProviderRegistry } from '../providers/provider.registry';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { AudioHub } from './audio-hub';
import { AudioSession, type AudioStreamOptions } from './audio-session';
import { liveAudioCall } from './media-access';
import { handleOf } from '../calls/call-handle';

type AudioRequest = IncomingMessage & { audio?: { principal: Principal; call: Call; options: AudioStreamOptions } };

const PATH = /^\/v1\/calls\/([A-Za-z0-9_-]{1,64})\/audio$/;

/**
 * `GET /v1/calls/:id/audio`: the call's live audio over a WebSocket, in one format whatever the
 * provider. Everything is checked before the upgrade completes, with the events socket's token
 * check (Authorization header or `access_token`): a bad query is 400, no token 401, another
 * tenant's or an unknown call 404, an agent who is not the conversation's 403, a provider without
 * live audio 422, a call that is not answered 409.
 */
@WebSocketGateway({ path: '/v1/calls/:id/audio', maxPayload: 4 * 1024, perMessageDeflate: false })
export class AudioGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly auth: JwtAuthGuard,
    private readonly uow: UnitOfWork,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    private readonly hub: AudioHub,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: AudioRequest }, done: (ok: boolean, code?: number, message?: string) => void) => {
      this.admit(info.req).then(
        (audio) => { info.req.audio = audio; done(true); },
        (error: unknown) => {
          if (error instanceof DomainError) return done(false, error.status, error.detail);
          this.logger.error({ err: error }, 'live audio admission failed');
          done(false, 503, 'Service Unavailable');
        },
      );
    };
  }

  handleConnection(socket: WebSocket, request: AudioRequest): void {
    const { principal, call, options } = request.audio!;
    const callId = call.interaction.id;
    const media = mediaOf(this.providers.voiceByName(call.interaction.provider!, call.tenantId))!;
    const session = new AudioSession(socket, options, {
      callId, conversationId: call.interaction.conversationId, provider: call.interaction.provider!, paused: this.hub.isPaused(callId),
    }, this.config.events.maxBufferedBytes, principal.expiresAt);
    const handle = handleOf(call);
    session.unlisten = this.hub.listen(callId, session, (sink) => media.startAudio(handle, sink, this.callbacks));
    // The client speaks no frames of its own here: anything it sends is ignored.
    socket.on('close', () => session.dispose());
    socket.on('error', () => session.dispose());
  }

  private async admit(request: IncomingMessage): Promise<{ principal: Principal; call: Call; options: AudioStreamOptions }> {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const callId = PATH.exec(url.pathname)?.[1];
    if (!callId) throw DomainError.notFound('call');
    const options = streamOptions(url.searchParams);
    const principal = await this.auth.authenticate(bearerToken(request.headers.authorization) ?? url.searchParams.get('access_token') ?? undefined);
    const { call } = await liveAudioCall(this.uow.direct, this.providers, principal, callId);
    return { principal, call, options };
  }
}

/** `sampleRate` 8000 (default) or 16000, `layout` tracks (default) or stereo; anything else is 400. */
export function streamOptions(query: URLSearchParams): AudioStreamOptions {
  for (const name of query.keys()) {
    if (!['sampleRate', 'layout', 'access_token'].includes(name)) throw DomainError.invalidField(name, 'is not a parameter of the audio stream (sampleRate, layout)');
  }
  const rate = query.get('sampleRate') ?? '8000';
  if (rate !== '8000' && rate !== '16000') throw DomainError.invalidField('sampleRate', 'must be 8000 or 16000');
  const layout = query.get('layout') ?? 'tracks';
  if (layout !== 'tracks' && layout !== 'stereo') throw DomainError.invalidField('layout', 'must be tracks or stereo');
  return { sampleRate: Number(rate) as 8000 | 16000, layout };
}
