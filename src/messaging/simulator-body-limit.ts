import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/config.schema';
import { MAX_SIMULATED_MEDIA } from './domain/simulated-media';

export const SIMULATOR_INBOUND_SMS_PATH = '/v1/simulator/inbound-sms';

/** Room for a `data:image/…;base64,` prefix and the JSON around one picture. */
const PER_PICTURE_OVERHEAD = 256;

/**
 * The body limit of `POST /v1/simulator/inbound-sms`: five pictures of simulator.mediaMaxBytes in
 * base64, plus the general limit for the rest of the body. Every other route keeps
 * http.bodyLimitBytes (64 KiB by default): only this one takes pictures inline.
 */
export function simulatorBodyLimit(config: Pick<AppConfig, 'http' | 'simulator'>): number {
  const picture = Math.ceil(config.simulator.mediaMaxBytes / 3) * 4 + PER_PICTURE_OVERHEAD;
  return config.http.bodyLimitBytes + MAX_SIMULATED_MEDIA * picture;
}

/** Widens the simulator route's body limit as Nest registers it (call before the app is initialised). */
export function widenSimulatorBodyLimit(fastify: FastifyInstance, config: Pick<AppConfig, 'http' | 'simulator'>): void {
  const bodyLimit = simulatorBodyLimit(config);
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url === SIMULATOR_INBOUND_SMS_PATH && methods.includes('POST')) route.bodyLimit = bodyLimit;
  });
}
