import type { Selectable } from 'kysely';
import type { CallParticipantsTable } from '../../storage/schema';
import type { Executor } from '../../storage/store';
import type { LeftReason, Participant, ParticipantMode, ParticipantRole, ParticipantState } from './domain/participant';

/** The `call_participants` rows: queries only. */
export class ParticipantsRepository {
  constructor(private readonly db: Executor) {}

  /** A call's stored parties, in the order they came. */
  async ofCall(tenantId: string, callId: string): Promise<Participant[]> {
    const rows = await this.db.selectFrom('callParticipants').selectAll()
      .where('tenantId', '=', tenantId).where('callId', '=', callId).orderBy('createdAt').orderBy('id').execute();
    return rows.map(toParticipant);
  }

  /** The stored parties of these calls (of one tenant), in the order they came. */
  async ofCalls(tenantId: string, callIds: readonly string[]): Promise<Participant[]> {
    if (callIds.length === 0) return [];
    const rows = await this.db.selectFrom('callParticipants').selectAll()
      .where('tenantId', '=', tenantId).where('callId', 'in', callIds).orderBy('createdAt').orderBy('id').execute();
    return rows.map(toParticipant);
  }

  /** Inserts new parties and updates known ones (by id). */
  async save(tenantId: string, participants: readonly Participant[], at: string): Promise<void> {
    for (const p of participants) {
      const row = toRow(p);
      const result = await this.db.updateTable('callParticipants').set(row)
        .where('tenantId', '=', tenantId).where('id', '=', p.id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        await this.db.insertInto('callParticipants').values({ ...row, id: p.id, tenantId, callId: p.callId, createdAt: at }).execute();
      }
    }
  }
}

function toParticipant(row: Selectable<CallParticipantsTable>): Participant {
  return {
    id: row.id, callId: row.callId, role: row.role as ParticipantRole, endpoint: row.endpoint, state: row.state as ParticipantState,
    mode: row.mode as ParticipantMode, ref: row.ref, reason: row.reason as LeftReason | null, addedBy: row.addedBy,
    joinedAt: row.joinedAt, leftAt: row.leftAt, updatedAt: row.updatedAt,
  };
}

function toRow(p: Participant) {
  return {
    role: p.role, endpoint: p.endpoint, state: p.state, mode: p.mode, ref: p.ref, reason: p.reason, addedBy: p.addedBy,
    joinedAt: p.joinedAt, leftAt: p.leftAt, updatedAt: p.updatedAt,
  };
}
