/**
 * Carries the signal "tenant T has events up to seq N" between instances. The signal carries no
 * event data: the durable log does. A lost signal only delays delivery until the next poll.
 */
export interface EventFanout {
  readonly kind: 'memory' | 'redis';
  publish(tenantId: string, seq: number): void;
  onSignal(handler: (tenantId: string, seq: number) => void): void;
  /** Throws when the bus is not usable (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_FANOUT = Symbol('EVENT_FANOUT');
