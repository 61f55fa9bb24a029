import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config.schema';
import { LOGGER } from '../common/logging/logger.token';
import type { StoredEvent } from '../events/domain/event';
import { EVENT_FANOUT, type EventFanout } from '../events/fanout/event-fanout';
import { AudioHub } from './audio-hub';
import { RecordingsService } from './recordings.service';

/**
 * Ties media to the calls' lives without the calls service knowing of it: the call events this
 * instance commits (the fan-out hands each instance its own, once) start a tenant's `always`
 * recording on `call.answered` and finish recordings and live audio on `call.ended`/`call.failed`.
 * Also runs the retention sweep, and on shutdown keeps what the gateway recorded so far.
 */
@Injectable()
export class MediaLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweep?: NodeJS.Timeout;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly recordings: RecordingsService,
    private readonly hub: AudioHub,
    private readonly config: AppConfig,
    @Inject(EVENT_FANOUT) private readonly fanout: EventFanout,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.fanout.onSignal((tenantId, _seq, committed) => {
      for (const event of committed ?? []) this.track(this.onEvent(tenantId, event));
    });
    this.sweep = setInterval(() => this.track(this.recordings.sweepRetention().then(() => undefined)), this.config.media.retentionSweepMs);
    this.sweep.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.allSettled([...this.pending]);
    await this.recordings.finishAll();
    this.hub.endAll('the gateway is shutting down');
  }

  private async onEvent(tenantId: string, event: StoredEvent): Promise<void> {
    if (!event.interactionId) return;
    if (event.type === 'call.answered') await this.recordings.recordAnswered(tenantId, event.interactionId);
    else if (event.type === 'call.ended' || event.type === 'call.failed') await this.recordings.callEnded(tenantId, event.interactionId);
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => this.logger.error({ err: error }, 'media follow-up of a call failed'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}
