import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { TimelineRepository } from '../../src/conversations/timeline/timeline.repository';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { migrationProvider } from '../../src/storage/migrations';
import { newId } from '../../src/common/ids';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/**
 * Migration 007 and its repository, on a real SQLite file and a real PostgreSQL database: chats
 * already ended and conversations already wrapped up get their entries, and an entry belongs to
 * the transaction of the change it records.
 */
function timelineSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  const T0 = '2026-01-01T00:00:00.000Z';
  const T1 = '2026-01-01T00:09:00.000Z';
  const conversationId = newId();
  const chatId = newId();

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    const { error } = await new Migrator({ db: handle.db, provider: migrationProvider }).migrateTo('006-call-agent-dialled');
    if (error) throw error;
    // A conversation from before the timeline: its chat ended, then it was wrapped up.
    await sql`insert into tenants (id, name, default_region, last_event_seq, created_at) values ('acme', 'ACME', 'GB', 0, ${T0})`.execute(handle.db);
    await sql`insert into contacts (id, tenant_id, name, created_at, updated_at) values ('p1', 'acme', 'Melissa', ${T0}, ${T0})`.execute(handle.db);
    await sql`insert into conversations (id, tenant_id, contact_id, status, agent_id, disposition, notes, created_at, updated_at, closed_at)
      values (${conversationId}, 'acme', 'p1', 'closed', 'alice', 'resolved', 'all good', ${T0}, ${T1}, ${T1})`.execute(handle.db);
    await sql`insert into interactions (id, tenant_id, conversation_id, channel, direction, state, provider_ref, end_reason, started_at, ended_at, updated_at)
      values (${chatId}, 'acme', ${conversationId}, 'chat', 'inbound', 'ended', 'sess-1', 'wrap-up', ${T0}, ${T1}, ${T1})`.execute(handle.db);
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('gives ended chats and wrapped-up conversations their entries, chat first', async () => {
    const entries = await new TimelineRepository(handle.db).ofConversation('acme', conversationId);
    expect(entries.map(({ kind, interactionId, at, data }) => ({ kind, interactionId, at, data }))).toEqual([
      { kind: 'chat_ended', interactionId: chatId, at: T1, data: { sessionId: 'sess-1', endReason: 'wrap-up' } },
      { kind: 'wrapped_up', interactionId: null, at: T1, data: { disposition: 'resolved', notes: 'all good', agentId: 'alice' } },
    ]);
    expect(await new TimelineRepository(handle.db).ofConversation('other', conversationId)).toEqual([]);
  });

  it('appends in the caller\'s transaction: rolled back with it, kept with it', async () => {
    const entry = { conversationId, interactionId: chatId, kind: 'held', at: T1, data: { agentId: 'alice' } };
    await expect(handle.db.transaction().execute(async (tx) => {
      await new TimelineRepository(tx).append('acme', entry);
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    const steps = () => new TimelineRepository(handle.db).ofInteractions('acme', [chatId], ['held']);
    expect(await steps()).toEqual([]);
    await handle.db.transaction().execute((tx) => new TimelineRepository(tx).append('acme', entry));
    expect((await steps()).map((e) => [e.kind, e.data])).toEqual([['held', { agentId: 'alice' }]]);
  });
}

describe('timeline entries on SQLite', () => {
  timelineSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-timeline-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('timeline entries on PostgreSQL', () => {
  timelineSuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
