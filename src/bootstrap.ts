import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config.schema';
import { NestPinoLogger } from './common/logging/nest-logger';
import { validationPipe } from './common/errors/validation';
import { MetricsService } from './metrics/metrics.service';

export interface Gateway {
  app: NestFastifyApplication;
  /** The address it listens on, e.g. http://127.0.0.1:41234. */
  url: string;
}

/** Builds, wires and starts the gateway; the caller owns shutdown (`app.close()`). */
export async function startGateway(config: AppConfig, logger: Logger): Promise<Gateway> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    routerOptions: { maxParamLength: 200 },
    trustProxy: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    // jambonz signs the raw body; it is kept next to the parsed one.
    rawBody: true,
    bufferLogs: false,
  });
  app.useGlobalPipes(validationPipe());
  // Frames are read by EventSubscriptions, not by Nest's {event, data} message routing.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
  instrument(app, logger);
  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  return { app, url: `http://${host}:${port}` };
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
