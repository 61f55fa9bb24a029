import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { AppConfig } from '../config/config.schema';
import { bearerToken, JwtAuthGuard, rateKey } from '../common/auth/jwt-auth.guard';
import type { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { LOGGER } from '../common/logging/logger.token';
import { seesClearData } from '../common/masking/view-masking';
import { TenantsService } from '../tenants/tenants.service';
import { MetricsService } from '../metrics/metrics.service';
import { PresenceService } from '../routing/presence.service';
import { EventDispatcher } from './event-dispatcher.service';
import { CLOSE_TOKEN_EXPIRED, CLOSE_TOO_MANY, EventSession } from './event-session';
import { EventSubscriptions } from './event-subscriptions.service';
import { SocketQuota } from './socket-quota';

type AuthedRequest = IncomingMessage & { principal?: Principal; tokenKey?: string };

/**
 * `GET /v1/events`: a plain WebSocket. The token (Authorization header or `access_token` query)
 * is checked before the upgrade completes; frames are handled by EventSubscriptions.
 */
@WebSocketGateway({ path: '/v1/events', maxPayload: 64 * 1024, perMessageDeflate: false })
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, BeforeApplicationShutdown {
  private readonly sockets: SocketQuota;

  constructor(
    private readonly auth: JwtAuthGuard,
    private readonly dispatcher: EventDispatcher,
    private readonly subscriptions: EventSubscriptions,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    private readonly presence: PresenceService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sockets = new SocketQuota(config.events.maxSocketsPerToken);
  }

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: AuthedRequest }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const token = tokenOf(info.req);
      this.auth.authenticate(token).then(
        (principal) => {
          info.req.principal = principal;
          // Like the REST rate limit: a key's id or a JWT's signature part tells tokens apart without keeping them.
          info.req.tokenKey = rateKey(token!, principal);
          done(true);
        },
        (error: unknown) => done(false, 401, error instanceof DomainError ? error.detail : 'Unauthorized'),
      );
    };
  }

  handleConnection(socket: WebSocket, request: AuthedRequest): void {
    const principal = request.principal!;
    const { maxSocketsPerToken, maxBufferedBytes, framesPerSecond, frameBurst } = this.config.events;
    // Counted per instance; the place is freed when the session is disposed, on every ending.
    const release = this.sockets.acquire(request.tokenKey!);
    if (!release) {
      this.metrics.socketsDropped.inc({ reason: 'too-many-sockets' });
      socket.close(CLOSE_TOO_MANY, `too many sockets for this token: at most ${maxSocketsPerToken} (events.maxSocketsPerToken)`);
      setTimeout(() => socket.terminate(), 2000).unref();
      return;
    }
    const masked = !seesClearData(principal, this.tenants.get(principal.tenantId).maskSensitiveData);
    // The agent is online while a socket of theirs is open; it ends with the session, on every ending, once.
    const leave = this.presence.connect(principal);
    const session = new EventSession(socket, principal, { maxBufferedBytes, framesPerSecond, frameBurst }, {
      delivered: (n) => this.metrics.eventsDelivered.inc(n),
      dropped: (reason) => this.metrics.socketsDropped.inc({ reason }),
      disposed: (s) => { release(); leave(); this.dispatcher.forget(s); this.metrics.socketsOpen.dec(); },
    }, masked, request.socket);
    this.metrics.socketsOpen.inc();
    this.dispatcher.register(session);
    if (principal.apiKeyId) this.closeWhenRevoked(session);
    let queue = Promise.resolve();
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      session.alive = true;
      // Charged on arrival, so a flood is refused before it can queue up work or memory.
      const admitted = this.subscriptions.admit(session);
      if (!session.open) return;
      // Frames of one socket are handled (or refused) one after another, in the order they came.
      queue = queue.then(() => (admitted ? this.subscriptions.handle(session, isBinary ? null : data.toString()) : this.subscriptions.refusedFrame(session)))
        .catch((error: unknown) => this.logger.error({ err: error }, 'event frame failed'));
    });
    socket.on('pong', () => { session.alive = true; });
    socket.on('close', () => session.dispose());
    socket.on('error', () => session.dispose());
  }

  /**
   * A socket opened with an API key is closed (4001) once the key is revoked: each heartbeat asks
   * the store whether the key still stands (a store that does not answer closes nothing).
   */
  private closeWhenRevoked(session: EventSession): void {
    const timer = setInterval(() => {
      if (!session.open) return clearInterval(timer);
      this.auth.keyIsLive(session.principal).then((live) => {
        if (!live) session.drop('token-expired', CLOSE_TOKEN_EXPIRED, 'the API key was revoked');
      }, () => undefined);
    }, this.config.events.heartbeatMs);
    timer.unref();
  }

  /** Closes every socket, then waits for their agents' presence to be released in the store. */
  async beforeApplicationShutdown(): Promise<void> {
    this.dispatcher.closeAll();
    await this.presence.flush();
  }
}

function tokenOf(request: IncomingMessage): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  return url.searchParams.get('access_token') ?? undefined;
}
