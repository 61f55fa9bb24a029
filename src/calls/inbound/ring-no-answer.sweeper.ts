import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { agentStatusEvent } from '../../agents/agents.service';
import { nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { PeriodicSweep } from '../../common/periodic-sweep';
import { AppConfig } from '../../config/config.schema';
import type { NewEvent } from '../../conversations/domain/conversation';
import { TenantsService } from '../../tenants/tenants.service';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import type { InboundCallRow } from './inbound-calls.repository';
import { ringOutBefore } from './domain/inbound-offer';
import { InboundSettingsReader } from './inbound-settings';

const BATCH = 100;

/**
 * RONA (ring, no answer): every `routing.ringNoAnswerSweepMs`, each instance looks for inbound
 * calls that have rung on an agent's console longer than the tenant's `ringNoAnswerSeconds`. Each
 * goes back to the queue (its conversation too, when it was that agent's) and the agent is marked
 * away, so no more calls ring on them until they say they are available. A conditional update on
 * the offer as it was read hands each call to one instance, however many sweep.
 */
@Injectable()
export class RingNoAnswerSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly settings: InboundSettingsReader;
  private readonly sweeper: PeriodicSweep;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = new InboundSettingsReader(config, this.tenants);
    this.sweeper = new PeriodicSweep('ring-no-answer', () => this.requeueAll(), logger);
  }

  onModuleInit(): void {
    this.sweeper.start(this.config.routing.ringNoAnswerSweepMs);
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  sweep(): Promise<void> {
    return this.sweeper.run();
  }

  private async requeueAll(): Promise<void> {
    for (const tenant of this.tenants.all()) {
      const { ringNoAnswerSeconds } = this.settings.of(tenant.id);
      const rungOut = await this.uow.direct.inboundCalls.ringingOut(tenant.id, ringOutBefore(nowIso(), ringNoAnswerSeconds), BATCH);
      for (const row of rungOut) await this.requeue(row, ringNoAnswerSeconds);
    }
  }

  private requeue(row: InboundCallRow, ringNoAnswerSeconds: number): Promise<void> {
    const { tenantId, interactionId } = row;
    const agentId = row.offeredTo!;
    return this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.inboundCalls.requeue(tenantId, interactionId, agentId, row.offeredAt, at))) return;
      const call = await w.calls.find(tenantId, interactionId);
      if (!call) return;
      const conversationId = call.interaction.conversationId;
      const conversation = await w.conversations.findById(tenantId, conversationId);
      const events: NewEvent[] = [];
      if (conversation?.agentId === agentId && (await w.conversations.changeAgent(tenantId, conversationId, { from: agentId, to: null, at }))) {
        events.push({ type: 'conversation.released', conversationId, agentId, data: { agentId, by: 'rona' } });
        await w.timeline.append(tenantId, { conversationId, interactionId: null, kind: 'released', at, data: { agentId, by: 'rona' } });
      }
      events.push({ type: 'call.requeued', conversationId, interactionId, agentId: null, data: { agentId, ringNoAnswerSeconds } });
      await w.timeline.append(tenantId, { conversationId, interactionId, kind: 'rona', at, data: { agentId, ringNoAnswerSeconds } });
      if (!(await w.agents.find(tenantId, agentId))?.awaySince) {
        await w.agents.setAway(tenantId, agentId, at, at);
        events.push(agentStatusEvent(agentId, 'away', 'rona'));
      }
      await w.emit(tenantId, events, at);
      this.logger.info({ callId: interactionId, agentId, ringNoAnswerSeconds }, 'inbound call rang out on the agent (RONA): back to the queue, agent away');
    });
  }
}
