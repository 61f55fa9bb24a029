import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoutedWsAdapter } from './common/net/routed-ws-adapter';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config.schema';
import { NestPinoLogger } from './common/logging/nest-logger';
import { validationPipe } from './common/errors/validation';
import { MetricsService } from './metrics/metrics.service';
import { HealthService } from './health/health.service';
import { HttpDrain } from './common/http/http-drain';
import { addSecurityHeaders } from './common/http/security-headers';
import { TENANT_LOOKUP, type TenantLookup } from './common/auth/tenant-lookup';
import { maskAnswers } from './common/masking/masked-answers';
import { widenSimulatorBodyLimit } from './messaging/simulator-body-limit';

export interface Gateway {
  app: NestFastifyApplication;
  /** The address it listens on, e.g. http://127.0.0.1:41234. */
  url: string;
  /**
   * Graceful shutdown: reports not ready, finishes the requests it has taken in (each answered
   * with `Connection: close`), refuses new connections, closes idle ones and the WebSockets, then
   * closes the application. The caller bounds it with the grace period.
   */
  stop(): Promise<void>;
}

/** Builds, wires and starts the gateway; the caller owns shutdown (`stop()`, or `app.close()` at once). */
export async function startGateway(config: AppConfig, logger: Logger): Promise<Gateway> {
  const { http } = config;
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    routerOptions: { maxParamLength: 200 },
    // request.ip (which the webhook rate limit is keyed by) comes from X-Forwarded-For only when
    // the connection is from a listed proxy; with none listed the header is ignored.
    trustProxy: http.trustedProxies.length > 0 ? [...http.trustedProxies] : false,
    // Slow or stalled clients (headers or a body dripping in) are answered 408 and disconnected;
    // Node checks the deadlines on this interval, by default only every 30 s.
    http: {
      headersTimeout: http.headersTimeoutMs, requestTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
    },
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // During shutdown a request on a connection already accepted is served, not refused (HttpDrain).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    // jambonz signs the raw body; it is kept next to the parsed one.
    rawBody: true,
    bufferLogs: false,
    // A failing start-up (the store unreachable, a refused configuration) is thrown to the caller,
    // which says why on stderr and picks the exit code, instead of Nest exiting on its own.
    abortOnError: false,
  });
  app.useGlobalPipes(validationPipe());
  // Frames are read by EventSubscriptions, not by Nest's {event, data} message routing.
  // Gateway paths may hold parameters (`/v1/calls/:id/audio`).
  app.useWebSocketAdapter(new RoutedWsAdapter(app, { messageParser: () => undefined }));
  instrument(app, logger);
  const fastify = app.getHttpAdapter().getInstance();
  addSecurityHeaders(fastify);
  maskAnswers(fastify, app.get<TenantLookup>(TENANT_LOOKUP));
  // Routes are registered when the app initialises (in listen), so the hook sees this one.
  widenSimulatorBodyLimit(fastify, config);
  const drain = new HttpDrain(app.getHttpServer(), fastify);
  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const stop = async (): Promise<void> => {
    app.get(HealthService).startDraining();
    // At most half the grace period goes to taking in what is still arriving; the rest to finishing it.
    await drain.start(config.shutdown.graceMs / 2);
    await app.close();
  };
  return { app, url: `http://${host}:${port}`, stop };
}

/** Request metrics and masked access logs. */
function instrument(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only: a text/plain body is refused with 415 rather than read as a string.
  fastify.removeContentTypeParser('text/plain');
  const metrics = app.get(MetricsService);
  const access = logger.child({ component: 'http' });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(request.method, route, reply.statusCode, seconds);
    access.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
}
