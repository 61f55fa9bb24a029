import type { StoredEvent } from '../domain/event';
import type { EventFanout, SignalHandler } from './event-fanout';

/** One process: signals go straight to this instance's handlers. */
export class MemoryFanout implements EventFanout {
  readonly kind = 'memory';
  private readonly handlers: SignalHandler[] = [];

  publish(tenantId: string, seq: number, committed?: StoredEvent[]): void {
    for (const handler of this.handlers) handler(tenantId, seq, committed);
  }

  onSignal(handler: SignalHandler): void {
    this.handlers.push(handler);
  }

  /** One process: every signal is local, there is nobody to tell. */
  follow(_tenantId: string): Promise<void> {
    return Promise.resolve();
  }

  unfollow(_tenantId: string): void {}

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
