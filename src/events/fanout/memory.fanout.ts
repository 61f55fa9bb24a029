import type { EventFanout } from './event-fanout';

/** One process: signals go straight to this instance's handlers. */
export class MemoryFanout implements EventFanout {
  readonly kind = 'memory';
  private readonly handlers: Array<(tenantId: string, seq: number) => void> = [];

  publish(tenantId: string, seq: number): void {
    for (const handler of this.handlers) handler(tenantId, seq);
  }

  onSignal(handler: (tenantId: string, seq: number) => void): void {
    this.handlers.push(handler);
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
