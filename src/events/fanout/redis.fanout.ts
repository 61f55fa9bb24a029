import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { StoredEvent } from '../domain/event';
import { SIGNALLED_TYPES, type EventFanout, type SignalHandler } from './event-fanout';

const CHANNEL = 'contact-gateway:events';

/**
 * Several instances: a signal is published on a Redis channel every instance subscribes to. The
 * local instance is signalled directly as well, so its own sockets never wait for the round trip.
 */
export class RedisFanout implements EventFanout {
  readonly kind = 'redis';
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: SignalHandler[] = [];

  constructor(url: string, private readonly logger: Logger) {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const client of [this.publisher, this.subscriber]) {
      // ioredis reconnects by itself; errors are reported by readiness, not thrown.
      client.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'redis connection error'));
    }
    void this.subscriber.subscribe(CHANNEL).catch((error: Error) => this.logger.warn({ err: error.message }, 'redis subscribe failed'));
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
  }

  publish(tenantId: string, seq: number, committed?: StoredEvent[]): void {
    this.deliver(tenantId, seq, committed);
    const named = committed?.filter((e) => SIGNALLED_TYPES.has(e.type)).map((e) => e.type) ?? [];
    const signal = named.length > 0 ? { t: tenantId, s: seq, y: [...new Set(named)] } : { t: tenantId, s: seq };
    this.publisher.publish(CHANNEL, JSON.stringify(signal)).catch((error: Error) => {
      this.logger.warn({ err: error.message }, 'event signal not published; other instances catch up by polling');
    });
  }

  onSignal(handler: SignalHandler): void {
    this.handlers.push(handler);
  }

  async check(): Promise<void> {
    for (const [name, client] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      if (client.status !== 'ready') throw new Error(`redis ${name} is ${client.status}`);
    }
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private receive(message: string): void {
    try {
      const { t, s, y } = JSON.parse(message) as { t: unknown; s: unknown; y?: unknown };
      const types = Array.isArray(y) ? y.filter((type): type is string => typeof type === 'string') : undefined;
      if (typeof t === 'string' && typeof s === 'number') this.deliver(t, s, undefined, types);
    } catch {
      this.logger.warn('ignored a malformed event signal');
    }
  }

  private deliver(tenantId: string, seq: number, committed?: StoredEvent[], types?: readonly string[]): void {
    for (const handler of this.handlers) handler(tenantId, seq, committed, types);
  }
}
