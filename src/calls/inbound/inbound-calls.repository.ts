import type { Executor } from '../../storage/store';
import { QUEUE_CHOICE, VOICEMAIL, type TimeoutMarker } from './domain/inbound-offer';

/** Whom an inbound call is offered to and who answered it (the calls row keeps the rest). */
export interface InboundCallRow {
  interactionId: string;
  tenantId: string;
  /** The agent whose console rings; null: the call waits in the queue for any agent. */
  offeredTo: string | null;
  offeredAt: string;
  answeredBy: string | null;
  answeredAt: string | null;
}

export class InboundCallsRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: InboundCallRow): Promise<void> {
    await this.db.insertInto('inboundCalls').values(row).execute();
  }

  async find(tenantId: string, interactionId: string): Promise<InboundCallRow | undefined> {
    return this.db.selectFrom('inboundCalls').selectAll()
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).executeTakeFirst();
  }

  /**
   * Claims the answer for `agentId`: true for exactly one of any number of racing claims. Only a
   * call offered to the agent or waiting in the queue can be claimed, and only once.
   */
  async claimAnswer(tenantId: string, interactionId: string, agentId: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('inboundCalls').set({ answeredBy: agentId, answeredAt: at, offeredTo: agentId })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).where('answeredBy', 'is', null)
      .where((eb) => eb.or([eb('offeredTo', 'is', null), eb('offeredTo', '=', agentId)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Takes back an answer whose bridge the provider refused, so that another agent may answer. */
  async releaseAnswer(tenantId: string, interactionId: string, agentId: string, at: string): Promise<void> {
    await this.db.updateTable('inboundCalls').set({ answeredBy: null, answeredAt: null, offeredTo: null, offeredAt: at })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).where('answeredBy', '=', agentId)
      .execute();
  }

  /**
   * Moves an unanswered call offered to `agentId` since `offeredAt` to the queue: true for the one
   * instance whose sweep wins (the offer is the one it read, still unanswered).
   */
  async requeue(tenantId: string, interactionId: string, agentId: string, offeredAt: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('inboundCalls').set({ offeredTo: null, offeredAt: at })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId)
      .where('offeredTo', '=', agentId).where('offeredAt', '=', offeredAt).where('answeredBy', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * The queue timed out (voicemail): the call is taken by `VOICEMAIL` in place of an agent, so
   * that it and an agent's answer exclude each other; true for the one claim that wins.
   */
  async claimForVoicemail(tenantId: string, interactionId: string, at: string, marker: TimeoutMarker = VOICEMAIL): Promise<boolean> {
    const result = await this.db.updateTable('inboundCalls').set({ answeredBy: marker, answeredAt: at })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).where('answeredBy', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The caller of a call being asked (`QUEUE_CHOICE`) chose: true for the one answer that settles it (a replayed hook gets false). */
  async settleChoice(tenantId: string, interactionId: string, marker: TimeoutMarker, at: string): Promise<boolean> {
    const result = await this.db.updateTable('inboundCalls').set({ answeredBy: marker, answeredAt: at })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).where('answeredBy', '=', QUEUE_CHOICE)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Calls of the tenant on one of `providers` that started before `before` and are still
   * unanswered and live (the queue timeout; only providers that can take a voicemail, so that calls
   * left waiting never crowd the others out of a batch).
   */
  async waitingSince(tenantId: string, providers: readonly string[], before: string, limit: number): Promise<InboundCallRow[]> {
    if (providers.length === 0) return [];
    return this.db.selectFrom('inboundCalls').innerJoin('interactions', 'interactions.id', 'inboundCalls.interactionId')
      .selectAll('inboundCalls')
      .where('inboundCalls.tenantId', '=', tenantId).where('inboundCalls.answeredBy', 'is', null).where('interactions.provider', 'in', providers)
      .where('interactions.startedAt', '<', before).where('interactions.state', 'in', ['initiating', 'ringing'])
      .orderBy('interactions.startedAt').limit(limit)
      .execute();
  }

  /** Calls of the tenant offered to an agent before `before`, still unanswered and live. */
  async ringingOut(tenantId: string, before: string, limit: number): Promise<InboundCallRow[]> {
    return this.db.selectFrom('inboundCalls').innerJoin('interactions', 'interactions.id', 'inboundCalls.interactionId')
      .selectAll('inboundCalls')
      .where('inboundCalls.tenantId', '=', tenantId).where('inboundCalls.offeredTo', 'is not', null)
      .where('inboundCalls.answeredBy', 'is', null).where('inboundCalls.offeredAt', '<', before)
      .where('interactions.state', 'in', ['initiating', 'ringing'])
      .orderBy('inboundCalls.offeredAt').limit(limit)
      .execute();
  }
}
