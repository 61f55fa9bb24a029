import type { Executor } from '../storage/store';
import type { Recording } from './domain/recording';
import type { PauseBehavior, RecordingState } from './domain/recording-state';

const COLUMNS = [
  'id', 'tenantId', 'callId', 'conversationId', 'provider', 'providerRef', 'state', 'pauseBehavior', 'startedBy', 'storageKey',
  'contentType', 'size', 'durationMs', 'channels', 'startedAt', 'endedAt', 'availableAt', 'deletedAt', 'updatedAt',
] as const;

/** The `recordings` table: queries only. */
export class RecordingsRepository {
  constructor(private readonly db: Executor) {}

  async insert(recording: Recording): Promise<void> {
    await this.db.insertInto('recordings').values(recording).execute();
  }

  async update(recording: Recording): Promise<void> {
    const { id, tenantId, ...rest } = recording;
    await this.db.updateTable('recordings').set(rest).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }

  async find(tenantId: string, id: string): Promise<Recording | undefined> {
    const row = await this.db.selectFrom('recordings').select(COLUMNS).where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row && toRecording(row);
  }

  /** By id alone: for a provider's callback, whose URL the gateway signed. */
  async findById(id: string): Promise<Recording | undefined> {
    const row = await this.db.selectFrom('recordings').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toRecording(row);
  }

  /** The call's recordings, oldest first. */
  async ofCall(tenantId: string, callId: string): Promise<Recording[]> {
    const rows = await this.db.selectFrom('recordings').select(COLUMNS)
      .where('tenantId', '=', tenantId).where('callId', '=', callId).orderBy('startedAt').orderBy('id').execute();
    return rows.map(toRecording);
  }

  /** Available recordings that became available before `before`, oldest first (the retention sweep). */
  async availableBefore(tenantId: string, before: string, limit: number): Promise<Recording[]> {
    const rows = await this.db.selectFrom('recordings').select(COLUMNS)
      .where('state', '=', 'available').where('tenantId', '=', tenantId).where('availableAt', '<', before)
      .orderBy('availableAt').limit(limit).execute();
    return rows.map(toRecording);
  }
}

function toRecording(row: Omit<Recording, 'state' | 'pauseBehavior'> & { state: string; pauseBehavior: string }): Recording {
  return { ...row, state: row.state as RecordingState, pauseBehavior: row.pauseBehavior as PauseBehavior };
}
