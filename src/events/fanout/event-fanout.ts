import type { StoredEvent } from '../domain/event';

/**
 * Carries the signal "tenant T has events up to seq N" between instances. The signal carries no
 * event data: the durable log does. A lost signal only delays delivery until the next poll.
 */
export interface EventFanout {
  readonly kind: 'memory' | 'redis';
  /**
   * Announces that the tenant's log holds events up to `seq`. `committed` are the events this
   * instance just committed: its own sockets get them without reading them back from the log.
   */
  publish(tenantId: string, seq: number, committed?: StoredEvent[]): void;
  onSignal(handler: SignalHandler): void;
  /**
   * This instance reads the tenant's log for its sockets from now on (`follow`, settled once other
   * instances' signals for the tenant reach it, or once that failed and only the poll will), or no
   * longer (`unfollow`): another instance's plain signals for a tenant are only wanted while
   * followed. Signals naming SIGNALLED_TYPES reach every instance regardless.
   */
  follow(tenantId: string): Promise<void>;
  unfollow(tenantId: string): void;
  /** Throws when the bus is not usable (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `types`: on a signal from another instance, those of SIGNALLED_TYPES its events included (local
 * signals carry `committed` instead).
 */
export type SignalHandler = (tenantId: string, seq: number, committed?: StoredEvent[], types?: readonly string[]) => void;

/**
 * Event types a signal names, for instances that act on them without reading the log (a tenant's
 * settings are reloaded on `tenant.updated`). Kept short: every other signal stays `{t, s}`.
 */
export const SIGNALLED_TYPES: ReadonlySet<string> = new Set(['tenant.updated']);

export const EVENT_FANOUT = Symbol('EVENT_FANOUT');
