import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import type { NewEvent } from '../conversations/domain/conversation';
import { MetricsService } from '../metrics/metrics.service';
import type { DatabaseHandle } from '../storage/database';
import type { Database } from '../storage/schema';
import { DATABASE } from '../storage/storage.module';
import type { StoredEvent } from './domain/event';
import { EventLogRepository } from './event-log.repository';
import { EVENT_FANOUT, type EventFanout } from './fanout/event-fanout';

export interface Outbox {
  /** Appends events to the tenant's log inside the current transaction. */
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
    let heads = new Map<string, number>();
    let count = 0;
    const result = await this.database.transaction((tx) => {
      heads = new Map();
      count = 0;
      const log = new EventLogRepository(tx);
      return work(tx, {
        async append(tenantId, events, at) {
          const stored = await log.append(tenantId, events, at);
          if (stored.length > 0) heads.set(tenantId, stored[stored.length - 1]!.seq);
          count += stored.length;
          return stored;
        },
      });
    });
    this.metrics.eventsPublished.inc(count);
    for (const [tenantId, seq] of heads) this.fanout.publish(tenantId, seq);
    return result;
  }
}
