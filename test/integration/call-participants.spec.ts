import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParticipantsRepository } from '../../src/calls/participants/participants.repository';
import type { Participant } from '../../src/calls/participants/domain/participant';
import { newId } from '../../src/common/ids';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { ConversationsRepository } from '../../src/conversations/conversations.repository';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { TenantsRepository } from '../../src/tenants/tenants.repository';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/** Migration 012 and the participants' repository, on a real SQLite file and a real PostgreSQL database. */
function participantsSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  const T0 = '2026-01-01T00:00:00.000Z';
  const T1 = '2026-01-01T00:01:00.000Z';
  const callId = newId();
  const otherCallId = newId();

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    await new TenantsRepository(handle.db).upsert({ id: 'acme', name: 'ACME', defaultRegion: 'GB' }, T0);
    await new TenantsRepository(handle.db).upsert({ id: 'other', name: 'Other', defaultRegion: 'GB' }, T0);
    const contactId = newId();
    await new ContactsRepository(handle.db).insert({ id: contactId, tenantId: 'acme', name: null, phone: '+447700900123', email: null, externalId: null, optedOutAt: null, createdAt: T0, updatedAt: T0 });
    const conversations = new ConversationsRepository(handle.db);
    const conversationId = newId();
    await conversations.insert({ id: conversationId, tenantId: 'acme', contactId, status: 'active', agentId: 'alice', context: null, disposition: null, notes: null, createdAt: T0, updatedAt: T0, closedAt: null, lastActivityAt: T0 });
    for (const id of [callId, otherCallId]) {
      await conversations.insertInteraction('acme', {
        id, conversationId, channel: 'voice', direction: 'outbound', state: id === callId ? 'answered' : 'ended', provider: 'simulator', providerRef: null,
        from: '+442071838750', to: '+447700900123', origin: null, endReason: id === callId ? null : 'completed', startedAt: T0, endedAt: id === callId ? null : T0, updatedAt: T0,
      });
    }
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  const party = (over: Partial<Participant>): Participant => ({
    id: newId(), callId, role: 'consultee', endpoint: 'sip:bob@pbx.example', state: 'dialing', mode: 'private', ref: 'x', reason: null,
    addedBy: 'alice', joinedAt: null, leftAt: null, updatedAt: T0, ...over,
  });

  it('inserts new parties and updates known ones, a call’s in the order they came, of its tenant only', async () => {
    const repo = new ParticipantsRepository(handle.db);
    const customer = party({ id: `${callId}-customer`, role: 'customer', endpoint: '+447700900123', state: 'held', mode: 'talk', ref: 'customer', addedBy: null });
    const bob = party({ ref: 'bob' });
    await repo.save('acme', [customer, bob], T0);
    await repo.save('acme', [party({ callId: otherCallId, role: 'supervisor', mode: 'monitor' })], T0);
    const answered = { ...bob, state: 'connected' as const, joinedAt: T1, updatedAt: T1 };
    const gone = { ...bob, state: 'left' as const, reason: 'no-answer' as const, leftAt: T1, updatedAt: T1 };
    await repo.save('acme', [answered], T1);
    expect(await repo.ofCall('acme', callId)).toEqual([customer, answered]);
    await repo.save('acme', [gone], T1);
    expect(await repo.ofCall('acme', callId)).toEqual([customer, gone]);
    expect((await repo.ofCalls('acme', [callId, otherCallId])).map((p) => [p.callId, p.role])).toEqual([
      [callId, 'customer'], [callId, 'consultee'], [otherCallId, 'supervisor'],
    ]);
    expect(await repo.ofCalls('acme', [])).toEqual([]);
    expect(await repo.ofCall('other', callId)).toEqual([]);
  });

  it('is written in the caller’s transaction: rolled back with it', async () => {
    const dropped = party({ ref: 'rolled-back' });
    await expect(handle.db.transaction().execute(async (tx) => {
      await new ParticipantsRepository(tx).save('acme', [dropped], T1);
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect((await new ParticipantsRepository(handle.db).ofCall('acme', callId)).map((p) => p.ref)).not.toContain('rolled-back');
  });
}

describe('call participants on SQLite', () => {
  participantsSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-participants-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('call participants on PostgreSQL', () => {
  participantsSuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
