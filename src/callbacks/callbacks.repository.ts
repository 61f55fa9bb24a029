import type { Executor } from '../storage/store';
import type { CallbackState, CallbackTask } from './domain/callback-task';

const COLUMNS = [
  'id', 'tenantId', 'conversationId', 'contactId', 'callId', 'number', 'state', 'agentId', 'dialedCallId', 'closedBy',
  'requestedAt', 'assignedAt', 'closedAt', 'updatedAt',
] as const;

export interface CallbackFilter {
  states?: readonly CallbackState[];
  /** An agent's view: their own tasks and the pending ones. */
  visibleTo?: string;
  limit: number;
}

/** The `callback_tasks` table: queries only. */
export class CallbackTasksRepository {
  constructor(private readonly db: Executor) {}

  async insert(task: CallbackTask): Promise<void> {
    await this.db.insertInto('callbackTasks').values(task).execute();
  }

  async find(tenantId: string, id: string): Promise<CallbackTask | undefined> {
    const row = await this.db.selectFrom('callbackTasks').select(COLUMNS).where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row && toTask(row);
  }

  async ofCall(tenantId: string, callId: string): Promise<CallbackTask | undefined> {
    const row = await this.db.selectFrom('callbackTasks').select(COLUMNS).where('tenantId', '=', tenantId).where('callId', '=', callId).executeTakeFirst();
    return row && toTask(row);
  }

  /** Newest first. */
  async list(tenantId: string, filter: CallbackFilter): Promise<CallbackTask[]> {
    let query = this.db.selectFrom('callbackTasks').select(COLUMNS).where('tenantId', '=', tenantId);
    if (filter.states?.length) query = query.where('state', 'in', [...filter.states]);
    const agent = filter.visibleTo;
    if (agent !== undefined) query = query.where((eb) => eb.or([eb('agentId', '=', agent), eb('state', '=', 'pending')]));
    const rows = await query.orderBy('requestedAt', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toTask);
  }

  /**
   * Writes the task's next state if it is still in the state (and with the agent) it was read in:
   * true for exactly one of any number of racing commands, on any instance.
   */
  async transition(next: CallbackTask, read: Pick<CallbackTask, 'state' | 'agentId'>): Promise<boolean> {
    const { id, tenantId, ...rest } = next;
    let query = this.db.updateTable('callbackTasks').set(rest).where('tenantId', '=', tenantId).where('id', '=', id).where('state', '=', read.state);
    query = read.agentId === null ? query.where('agentId', 'is', null) : query.where('agentId', '=', read.agentId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The call placed for a dialed task. */
  async setDialedCall(tenantId: string, id: string, callId: string, at: string): Promise<void> {
    await this.db.updateTable('callbackTasks').set({ dialedCallId: callId, updatedAt: at }).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }

  /** The tenant's pending tasks, oldest first. */
  async pending(tenantId: string, limit: number): Promise<CallbackTask[]> {
    const rows = await this.db.selectFrom('callbackTasks').select(COLUMNS)
      .where('tenantId', '=', tenantId).where('state', '=', 'pending').orderBy('requestedAt').orderBy('id').limit(limit).execute();
    return rows.map(toTask);
  }

  /** The tenant's assigned (not yet dialed) tasks, oldest first. */
  async assigned(tenantId: string, limit: number): Promise<CallbackTask[]> {
    const rows = await this.db.selectFrom('callbackTasks').select(COLUMNS)
      .where('tenantId', '=', tenantId).where('state', '=', 'assigned').orderBy('requestedAt').orderBy('id').limit(limit).execute();
    return rows.map(toTask);
  }

  /** How many assigned (not yet dialed) tasks each of the tenant's agents holds. */
  async holding(tenantId: string): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('callbackTasks').select((eb) => ['agentId', eb.fn.countAll().as('n')])
      .where('tenantId', '=', tenantId).where('state', '=', 'assigned').groupBy('agentId').execute();
    return new Map(rows.filter((r) => r.agentId !== null).map((r) => [r.agentId!, Number(r.n)]));
  }
}

function toTask(row: Omit<CallbackTask, 'state'> & { state: string }): CallbackTask {
  return { ...row, state: row.state as CallbackState };
}
