import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { MetricsService } from '../metrics/metrics.service';
import type { DatabaseHandle } from '../storage/database';
import type { Database } from '../storage/schema';
import { DATABASE } from '../storage/storage.module';
import { asStoredEvents, type StoredEvent } from './domain/event';
import type { NewEvent } from './domain/event-catalogue';
import { EventLogRepository } from './event-log.repository';
import { EVENT_FANOUT, type EventFanout } from './fanout/event-fanout';

export interface Outbox {
  /**
   * Appends events to the tenant's log inside the current transaction (written when the unit's work
   * is done, before it commits). Only types of the event catalogue, each with its own payload:
   * anything else does not compile.
   */
  append(tenantId: string, events: NewEvent[], at: string): Promise<void>;
}

/**
 * Runs a change and its events in one transaction (the outbox); once it has committed, signals
 * every instance that the tenant's log grew.
 */
@Injectable()
export class EventOutbox {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(EVENT_FANOUT) private readonly fanout: EventFanout,
    private readonly metrics: MetricsService,
  ) {}

  async transaction<T>(work: (tx: Transaction<Database>, outbox: Outbox) => Promise<T>): Promise<T> {
    let committed = new Map<string, StoredEvent[]>();
    const result = await this.database.transaction(async (tx) => {
      committed = new Map();
      const appends: Array<{ tenantId: string; events: NewEvent[]; at: string }> = [];
      const value = await work(tx, {
        async append(tenantId, events, at) {
          if (events.length > 0) appends.push({ tenantId, events, at });
        },
      });
      // The events go in after everything else the unit changed, in the order they were appended:
      // on PostgreSQL the last append takes the unit's waiting inserts along and, when nothing else
      // was written, is the whole unit in one statement (storage/pg-client.ts).
      const log = new EventLogRepository(tx);
      for (const [i, { tenantId, events, at }] of appends.entries()) {
        const stored = asStoredEvents(await log.append(tenantId, events, at, { last: i === appends.length - 1 }));
        committed.set(tenantId, [...(committed.get(tenantId) ?? []), ...stored]);
      }
      return value;
    });
    for (const [tenantId, events] of committed) {
      if (events.length === 0) continue;
      this.metrics.eventsPublished.inc(events.length);
      this.fanout.publish(tenantId, events[events.length - 1]!.seq, events);
    }
    return result;
  }
}
