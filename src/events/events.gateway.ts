import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { AppConfig } from '../config/config.schema';
import { bearerToken, JwtAuthGuard } from '../common/auth/jwt-auth.guard';
import type { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { LOGGER } from '../common/logging/logger.token';
import { seesClearData } from '../common/masking/view-masking';
import { TenantsService } from '../tenants/tenants.service';
import { MetricsService } from '../metrics/metrics.service';
import { EventDispatcher } from './event-dispatcher.service';
import { EventSession } from './event-session';
import { EventSubscriptions } from './event-subscriptions.service';

type AuthedRequest = IncomingMessage & { principal?: Principal };

/**
 * `GET /v1/events`: a plain WebSocket. The token (Authorization header or `access_token` query)
 * is checked before the upgrade completes; frames are handled by EventSubscriptions.
 */
@WebSocketGateway({ path: '/v1/events', maxPayload: 64 * 1024, perMessageDeflate: false })
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, BeforeApplicationShutdown {
  constructor(
    private readonly auth: JwtAuthGuard,
    private readonly dispatcher: EventDispatcher,
    private readonly subscriptions: EventSubscriptions,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: AuthedRequest }, done: (ok: boolean, code?: number, message?: string) => void) => {
      this.auth.authenticate(tokenOf(info.req)).then(
        (principal) => { info.req.principal = principal; done(true); },
        (error: unknown) => done(false, 401, error instanceof DomainError ? error.detail : 'Unauthorized'),
      );
    };
  }

  handleConnection(socket: WebSocket, request: AuthedRequest): void {
    const principal = request.principal!;
    const masked = !seesClearData(principal, this.tenants.get(principal.tenantId).maskSensitiveData);
    const session = new EventSession(socket, principal, { maxBufferedBytes: this.config.events.maxBufferedBytes }, {
      delivered: (n) => this.metrics.eventsDelivered.inc(n),
      dropped: (reason) => this.metrics.socketsDropped.inc({ reason }),
      disposed: (s) => { this.dispatcher.forget(s); this.metrics.socketsOpen.dec(); },
    }, masked);
    this.metrics.socketsOpen.inc();
    this.dispatcher.register(session);
    let queue = Promise.resolve();
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      session.alive = true;
      // Frames of one socket are handled one after another, in the order they came.
      queue = queue.then(() => this.subscriptions.handle(session, isBinary ? null : data.toString()))
        .catch((error: unknown) => this.logger.error({ err: error }, 'event frame failed'));
    });
    socket.on('pong', () => { session.alive = true; });
    socket.on('close', () => session.dispose());
    socket.on('error', () => session.dispose());
  }

  beforeApplicationShutdown(): void {
    this.dispatcher.closeAll();
  }
}

function tokenOf(request: IncomingMessage): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  return url.searchParams.get('access_token') ?? undefined;
}
