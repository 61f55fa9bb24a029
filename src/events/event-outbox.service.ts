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
   * Appends events to the tenant's log inside the current transaction. Only types of the event
   * catalogue, each with its own payload: anything else does not compile.
   */
  append(tenantId: string, events: NewEvent[], at: string): Promise<StoredEvent[]>;
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
    const result = await this.database.transaction((tx) => {
      committed = new Map();
      const log = new EventLogRepository(tx);
      return work(tx, {
        async append(tenantId, events, at) {
          const stored = asStoredEvents(await log.append(tenantId, events, at));
          committed.set(tenantId, [...(committed.get(tenantId) ?? []), ...stored]);
          return stored;
        },
      });
    });
    for (const [tenantId, events] of committed) {
      if (events.length === 0) continue;
      this.metrics.eventsPublished.inc(events.length);
      this.fanout.publish(tenantId, events[events.length - 1]!.seq, events);
    }
    return result;
  }
}
