import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import { PeriodicSweep } from '../common/periodic-sweep';
import { AppConfig } from '../config/config.schema';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

/** Alerts claimed per tenant and sweep; the rest wait for the next sweep. */
const BATCH = 100;

/**
 * Every `routing.unattendedSweepMs`, each instance looks for conversations that have waited in
 * the queue longer than their tenant's `unattendedAlertSeconds` and announces each once, as
 * `conversation.unattended`: a conditional update claims the alert, so with several instances
 * sweeping only one sends it. A claim, assignment or release starts the wait anew.
 */
@Injectable()
export class UnattendedSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.sweeper = new PeriodicSweep('unattended', () => this.alertAll(), logger);
  }

  onModuleInit(): void {
    this.sweeper.start(this.config.routing.unattendedSweepMs);
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  sweep(): Promise<void> {
    return this.sweeper.run();
  }

  private async alertAll(): Promise<void> {
    for (const tenant of this.tenants.all()) {
      if (tenant.unattendedAlertSeconds === 0) continue;
      const now = nowIso();
      const queuedBefore = new Date(Date.parse(now) - tenant.unattendedAlertSeconds * 1000).toISOString();
      const waiting = await this.uow.direct.conversations.unattended(tenant.id, queuedBefore, BATCH);
      for (const { id, queuedAt } of waiting) {
        await this.uow.run(async (w) => {
          if (!(await w.conversations.claimUnattendedAlert(tenant.id, id, queuedBefore, now))) return;
          await w.emit(tenant.id, [{
            type: 'conversation.unattended', conversationId: id, agentId: null,
            data: { queuedAt, waitedSeconds: Math.floor((Date.parse(now) - Date.parse(queuedAt)) / 1000), alertSeconds: tenant.unattendedAlertSeconds },
          }], now);
        });
      }
    }
  }
}
