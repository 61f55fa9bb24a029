import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config.schema';
import { LOGGER } from '../common/logging/logger.token';
import type { DatabaseHandle } from '../storage/database';
import { DATABASE } from '../storage/storage.module';
import { asStoredEvents, type StoredEvent } from './domain/event';
import { EventLogRepository } from './event-log.repository';
import { CLOSE_SERVICE_RESTART, EventSession } from './event-session';
import { EVENT_FANOUT, type EventFanout } from './fanout/event-fanout';

const BATCH = 500;

/** What this instance has read of one tenant's log, and the sockets following it. */
interface Feed {
  tenantId: string;
  /** Last seq read from the log and offered to every live session. */
  head: number;
  /** Highest seq announced by a signal or a poll (on PostgreSQL possibly not readable yet). */
  wanted: number;
  pumping: boolean;
  /** A signal came while a read was under way: read again even if that read came back empty. */
  again: boolean;
  /** A read stopped short of `wanted` (PostgreSQL's horizon): the next try, sooner than the poll. */
  retry?: NodeJS.Timeout;
  retryMs: number;
  sessions: Set<EventSession>;
}

/** First delay before reading again when the horizon held events back; it doubles up to events.pollMs. */
const RETRY_FIRST_MS = 5;

/**
 * Reads each followed tenant's log forward and offers every entry to that tenant's sessions.
 * Signals (memory or Redis) say when to read; a poll catches what a lost signal did not say.
 */
@Injectable()
export class EventDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly feeds = new Map<string, Feed>();
  private readonly opening = new Map<string, Promise<Feed>>();
  private readonly sessions = new Set<EventSession>();
  private readonly log: EventLogRepository;
  private timers: NodeJS.Timeout[] = [];
  /** Whether an instance's own commits may be offered without reading them back (SQLite only). */
  private readonly direct: boolean;

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    @Inject(EVENT_FANOUT) private readonly fanout: EventFanout,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly config: AppConfig,
  ) {
    this.log = new EventLogRepository(database.db);
    this.direct = database.dialect === 'sqlite';
  }

  onModuleInit(): void {
    this.fanout.onSignal((tenantId, seq, committed) => this.signal(tenantId, seq, committed));
    this.timers = [
      setInterval(() => void this.poll(), this.config.events.pollMs),
      setInterval(() => this.heartbeat(), this.config.events.heartbeatMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const feed of this.feeds.values()) clearTimeout(feed.retry);
    await this.fanout.close();
  }

  /** Closes every socket with a reconnect hint (before the server goes away). */
  closeAll(): void {
    for (const session of [...this.sessions]) {
      session.drop('shutdown', CLOSE_SERVICE_RESTART, `service restart: reconnect with since=${session.position}`);
    }
  }

  register(session: EventSession): void {
    this.sessions.add(session);
  }

  /** Forgets a disposed session. */
  forget(session: EventSession): void {
    this.sessions.delete(session);
    const feed = this.feeds.get(session.principal.tenantId);
    if (!feed) return;
    feed.sessions.delete(session);
    if (feed.sessions.size === 0) {
      clearTimeout(feed.retry);
      this.feeds.delete(feed.tenantId);
      this.fanout.unfollow(feed.tenantId);
    }
  }

  /**
   * Starts live delivery for a session from the log's current end. `started` runs once that end is
   * known and before any event can be offered: every event committed after it reaches the session.
   */
  async follow(session: EventSession, started: () => void): Promise<void> {
    const feed = await this.feedFor(session.principal.tenantId);
    if (!session.open) return;
    if (!feed.sessions.has(session)) session.position = feed.head;
    started();
    feed.sessions.add(session);
  }

  /** The last seq a reader may deliver for the tenant (to refuse a cursor from the future). */
  lastSeq(tenantId: string): Promise<number> {
    return this.log.lastSeq(tenantId);
  }

  /** Replays the log after `since`, then hands the session to live delivery with no gap or repeat. */
  async replay(session: EventSession, since: number): Promise<void> {
    const feed = await this.feedFor(session.principal.tenantId);
    if (!session.open) return;
    feed.sessions.add(session);
    session.replaying = true;
    session.position = since;
    try {
      for (;;) {
        const batch = asStoredEvents(await this.log.readAfter(feed.tenantId, session.position, BATCH));
        for (const event of batch) {
          if (!session.open) return;
          session.offerReplayed(event);
        }
        // Caught up once the log holds nothing newer than what live delivery has offered.
        if (batch.length === 0 || (batch.length < BATCH && session.position >= feed.head)) break;
        await this.drained(session);
      }
    } finally {
      session.replaying = false;
    }
  }

  private async drained(session: EventSession): Promise<void> {
    const limit = this.config.events.maxBufferedBytes / 2;
    for (let waited = 0; session.open && session.socket.bufferedAmount > limit; waited += 10) {
      if (waited > 10_000) return; // the next send drops it as a slow consumer
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private feedFor(tenantId: string): Promise<Feed> {
    const existing = this.feeds.get(tenantId);
    if (existing) return Promise.resolve(existing);
    let opening = this.opening.get(tenantId);
    if (!opening) {
      // The head is read once other instances' signals for the tenant reach this one: none is missed in between.
      opening = this.fanout.follow(tenantId).then(() => this.log.lastSeq(tenantId)).then((head) => {
        const feed: Feed = { tenantId, head, wanted: head, pumping: false, again: false, retryMs: RETRY_FIRST_MS, sessions: new Set() };
        this.feeds.set(tenantId, feed);
        return feed;
      }, (error: unknown) => {
        this.fanout.unfollow(tenantId);
        throw error;
      }).finally(() => this.opening.delete(tenantId));
      this.opening.set(tenantId, opening);
    }
    return opening;
  }

  /**
   * The log grew to `seq`. On SQLite, events this instance just committed are offered at once when
   * they follow on from what the feed has read (nothing can commit between them); anything else is
   * read from the log, in order. On PostgreSQL a committed event may not be readable yet (an older
   * transaction is still running): the read stops short of it and `wanted` stays ahead of `head`,
   * so the next signal or poll reads again until the feed has caught up.
   */
  private signal(tenantId: string, seq: number, committed?: StoredEvent[]): void {
    const feed = this.feeds.get(tenantId);
    if (!feed) return;
    if (seq > feed.wanted) feed.wanted = seq;
    if (feed.head >= feed.wanted) return;
    if (this.direct && !feed.pumping && committed && committed[0]?.seq === feed.head + 1) {
      this.offer(feed, committed);
      if (feed.head >= feed.wanted) return;
    }
    void this.pump(feed);
  }

  private offer(feed: Feed, events: StoredEvent[]): void {
    for (const event of events) {
      for (const session of feed.sessions) session.offerLive(event);
      feed.head = event.seq;
    }
  }

  private async pump(feed: Feed): Promise<void> {
    if (feed.pumping) {
      feed.again = true;
      return;
    }
    feed.pumping = true;
    clearTimeout(feed.retry);
    feed.retry = undefined;
    try {
      while (feed.head < feed.wanted) {
        feed.again = false;
        const batch = asStoredEvents(await this.log.readAfter(feed.tenantId, feed.head, BATCH));
        if (batch.length === 0 && !feed.again) break;
        this.offer(feed, batch);
      }
    } catch (error) {
      this.logger.warn({ err: error, tenantId: feed.tenantId }, 'reading the event log failed; retrying on the next poll');
    } finally {
      feed.pumping = false;
    }
    if (feed.head < feed.wanted) {
      // Committed events are held back behind an older transaction still running; that one may
      // commit without a signal (it wrote no events), so try again shortly, backing off to the poll.
      if (!feed.retry && this.feeds.get(feed.tenantId) === feed && feed.retryMs < this.config.events.pollMs) {
        feed.retry = setTimeout(() => {
          feed.retry = undefined;
          void this.pump(feed);
        }, feed.retryMs);
        feed.retry.unref();
        feed.retryMs *= 2;
      }
    } else {
      feed.retryMs = RETRY_FIRST_MS;
    }
  }

  private async poll(): Promise<void> {
    for (const feed of this.feeds.values()) {
      try {
        this.signal(feed.tenantId, await this.log.lastSeq(feed.tenantId));
      } catch {
        // The store is down; readiness says so, and the next poll tries again.
      }
    }
  }

  private heartbeat(): void {
    for (const session of [...this.sessions]) session.heartbeat();
  }
}
