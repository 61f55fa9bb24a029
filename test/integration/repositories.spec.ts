import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import type { Contact } from '../../src/contacts/domain/contact';
import { ConversationsRepository } from '../../src/conversations/conversations.repository';
import type { Conversation, Interaction } from '../../src/conversations/domain/conversation';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { IdempotencyRepository } from '../../src/idempotency/idempotency.repository';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { isUniqueViolation } from '../../src/storage/store';
import { TenantsRepository } from '../../src/tenants/tenants.repository';
import { newId, nowIso } from '../../src/common/ids';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/** The same repository suite, run against a real SQLite file and a real PostgreSQL database. */
function repositorySuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    const tenants = new TenantsRepository(handle.db);
    await tenants.upsert({ id: 'acme', name: 'ACME', defaultRegion: 'GB' }, at);
    await tenants.upsert({ id: 'other', name: 'Other', defaultRegion: 'US' }, at);
  });

  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  const contact = (over: Partial<Contact> = {}): Contact => ({
    id: newId(), tenantId: 'acme', name: 'Melissa', phone: null, email: null, externalId: null, optedOutAt: null,
    createdAt: at, updatedAt: at, ...over,
  });
  const conversation = (contactId: string, over: Partial<Conversation> = {}): Conversation => ({
    id: newId(), tenantId: 'acme', contactId, status: 'active', agentId: 'a1', context: { gps: [51.5, -0.12] },
    disposition: null, notes: null, createdAt: at, updatedAt: at, closedAt: null, lastActivityAt: at, ...over,
  });
  const chat = (conversationId: string, sessionId: string): Interaction => ({
    id: newId(), conversationId, channel: 'chat', direction: 'inbound', state: 'active', provider: null,
    providerRef: sessionId, from: null, to: null, origin: 'mobile', endReason: null, startedAt: at, endedAt: null, updatedAt: at,
  });

  it('applies migrations once and reports the schema as current', async () => {
    await migrate(handle.db);
    await expect(handle.check()).resolves.toBeUndefined();
  });

  it('keeps tenants and their numbers, and upserts by id', async () => {
    const repo = new TenantsRepository(handle.db);
    await repo.upsert({ id: 'acme', name: 'ACME Insurance', defaultRegion: 'GB' }, at);
    await repo.replaceNumbers('acme', ['+442071838750']);
    const acme = await handle.db.selectFrom('tenants').select(['id', 'name', 'defaultRegion']).where('id', '=', 'acme').executeTakeFirst();
    expect(acme).toEqual({ id: 'acme', name: 'ACME Insurance', defaultRegion: 'GB' });
    const owners = await handle.db.selectFrom('tenantNumbers').selectAll().execute();
    expect(owners).toEqual([{ number: '+442071838750', tenantId: 'acme' }]);
  });

  it('moves a number to the tenant the configuration now gives it, whichever tenant is written first', async () => {
    const repo = new TenantsRepository(handle.db);
    await repo.replaceNumbers('acme', ['+442071838750', '+442071838751']);
    await repo.replaceNumbers('other', ['+14155550100']);
    // The next start: `other` is written first and takes +442071838751 while acme still holds it.
    await repo.replaceNumbers('other', ['+14155550100', '+442071838751']);
    await repo.replaceNumbers('acme', ['+442071838750']);
    const owners = await handle.db.selectFrom('tenantNumbers').selectAll().orderBy('number').execute();
    expect(owners).toEqual([
      { number: '+14155550100', tenantId: 'other' },
      { number: '+442071838750', tenantId: 'acme' },
      { number: '+442071838751', tenantId: 'other' },
    ]);
    await repo.replaceNumbers('other', []);
    expect(await handle.db.selectFrom('tenantNumbers').select('number').where('tenantId', '=', 'other').execute()).toEqual([]);
  });

  it('finds contacts by external id, then phone, then e-mail, within the tenant only', async () => {
    const repo = new ContactsRepository(handle.db);
    const a = contact({ phone: '+447966197542', email: 'melissa@example.com' });
    const b = contact({ externalId: 'crm-7', phone: '+447966000001' });
    await repo.insert(a);
    await repo.insert(b);
    expect((await repo.findByKeys('acme', { phone: '+447966197542' }))?.id).toBe(a.id);
    expect((await repo.findByKeys('acme', { externalId: 'crm-7', phone: '+447966197542' }))?.id).toBe(b.id);
    expect((await repo.findByKeys('acme', { email: 'melissa@example.com' }))?.id).toBe(a.id);
    expect(await repo.findByKeys('other', { phone: '+447966197542' })).toBeUndefined();
    expect(await repo.findById('other', a.id)).toBeUndefined();
  });

  it('refuses a second contact with the same phone in a tenant, allows it in another', async () => {
    const repo = new ContactsRepository(handle.db);
    await repo.insert(contact({ phone: '+447700900001' }));
    expect(isUniqueViolation(await repo.insert(contact({ phone: '+447700900001' })).catch((e: unknown) => e))).toBe(true);
    await expect(repo.insert(contact({ tenantId: 'other', phone: '+447700900001' }))).resolves.toBeUndefined();
  });

  it('stores conversations with context and interactions, and pages newest first', async () => {
    const contacts = new ContactsRepository(handle.db);
    const repo = new ConversationsRepository(handle.db);
    const c = contact({ phone: '+447700900002' });
    await contacts.insert(c);
    const convs = [conversation(c.id), conversation(c.id, { status: 'closed' }), conversation(c.id)];
    for (const conv of convs) await repo.insert(conv);
    await repo.insertInteraction('acme', chat(convs[0]!.id, 'session-page'));

    const found = await repo.findById('acme', convs[0]!.id);
    expect(found).toEqual(convs[0]);
    expect(await repo.findById('other', convs[0]!.id)).toBeUndefined();

    const page1 = await repo.list('acme', { contactId: c.id, limit: 2 });
    expect(page1.map((x) => x.id)).toEqual([convs[2]!.id, convs[1]!.id]);
    // All three share one activity time: the id breaks the tie, so the page after ends exactly there.
    const page2 = await repo.list('acme', { contactId: c.id, limit: 2, after: { lastActivityAt: at, id: page1[1]!.id } });
    expect(page2.map((x) => x.id)).toEqual([convs[0]!.id]);
    expect((await repo.list('acme', { contactId: c.id, status: 'closed', limit: 10 })).map((x) => x.id)).toEqual([convs[1]!.id]);
    expect(await repo.list('other', { contactId: c.id, limit: 10 })).toEqual([]);

    const linked = await repo.findByInteractionRef('acme', 'chat', 'session-page');
    expect(linked?.id).toBe(convs[0]!.id);
    expect(await repo.findByInteractionRef('other', 'chat', 'session-page')).toBeUndefined();
    const interactions = await repo.interactionsOf('acme', [convs[0]!.id]);
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({ channel: 'chat', providerRef: 'session-page', origin: 'mobile', state: 'active' });
  });

  it('links a chat session once per tenant', async () => {
    const contacts = new ContactsRepository(handle.db);
    const repo = new ConversationsRepository(handle.db);
    const c = contact();
    await contacts.insert(c);
    const conv = conversation(c.id);
    await repo.insert(conv);
    await repo.insertInteraction('acme', chat(conv.id, 'dup-session'));
    const error = await repo.insertInteraction('acme', chat(conv.id, 'dup-session')).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('gives events gap-free, ordered sequence numbers per tenant, even under concurrent writers', async () => {
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');
    const otherBefore = await log.lastSeq('other');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        handle.transaction((tx) =>
          new EventLogRepository(tx).append('acme', [
            { type: 'test.first', conversationId: null, data: { n } },
            { type: 'test.second', conversationId: null, data: { n } },
          ], nowIso()))),
    );
    const events = await log.readAfter('acme', before, 1000);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => before + 1 + i));
    // The two events of one transaction are adjacent.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]!.type).toBe('test.first');
      expect(events[i + 1]!.data).toEqual(events[i]!.data);
    }
    expect(await log.lastSeq('other')).toBe(otherBefore);
    expect(await log.readAfter('other', otherBefore, 10)).toEqual([]);
  });

  it('commits concurrent units independently: a failing unit is rolled back alone', async () => {
    const log = new EventLogRepository(handle.db);
    const contacts = new ContactsRepository(handle.db);
    const before = await log.lastSeq('acme');
    const ids = [newId(), newId(), newId()];
    const results = await Promise.allSettled(ids.map((id, n) => handle.transaction(async (tx) => {
      await new ContactsRepository(tx).insert(contact({ id, name: `unit-${n}` }));
      await new EventLogRepository(tx).append('acme', [{ type: 'test.unit', conversationId: null, data: { n } }], nowIso());
      if (n === 1) throw new Error('unit 1 fails');
      return n;
    })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await contacts.findById('acme', ids[0]!)).toBeDefined();
    expect(await contacts.findById('acme', ids[1]!)).toBeUndefined();
    expect(await contacts.findById('acme', ids[2]!)).toBeDefined();
    // Only the two committed units' events, numbered on from before (in whichever order they committed).
    const events = await log.readAfter('acme', before, 10);
    expect(events.map((e) => e.seq - before)).toEqual([1, 2]);
    expect(events.map((e) => e.data.n).sort()).toEqual([0, 2]);
  });

  it('runs a unit again after it lost a race on a unique key, seeing the winner', async () => {
    const phone = '+447911123999';
    const outcomes = await Promise.all([0, 1, 2].map(() => handle.transaction(async (tx) => {
      const repo = new ContactsRepository(tx);
      const found = await repo.findByKeys('acme', { phone });
      if (found) return `found ${found.id}`;
      const created = contact({ phone });
      await repo.insert(created);
      return `created ${created.id}`;
    })));
    expect(outcomes.filter((o) => o.startsWith('created'))).toHaveLength(1);
    const id = outcomes.find((o) => o.startsWith('created'))!.slice(8);
    expect(outcomes.filter((o) => o === `found ${id}`)).toHaveLength(2);
  });

  it('rolls back the change and its events together', async () => {
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');
    await expect(handle.transaction(async (tx) => {
      await new EventLogRepository(tx).append('acme', [{ type: 'test.lost', conversationId: null, data: {} }], nowIso());
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await log.lastSeq('acme')).toBe(before);
    expect(await log.readAfter('acme', before, 10)).toEqual([]);
  });

  it('reserves an idempotency key once', async () => {
    const repo = new IdempotencyRepository(handle.db);
    expect(await repo.reserve('acme', 'k1', 'h1', at)).toBe(true);
    expect(await repo.reserve('acme', 'k1', 'h1', at)).toBe(false);
    expect(await repo.reserve('other', 'k1', 'h1', at)).toBe(true);
    await repo.complete('acme', 'k1', 201, '{"id":"x"}');
    expect(await repo.find('acme', 'k1')).toEqual({ requestHash: 'h1', state: 'done', statusCode: 201, responseBody: '{"id":"x"}', createdAt: at });
    expect(await repo.purgeBefore('2026-01-02T00:00:00.000Z')).toBeGreaterThanOrEqual(2);
    expect(await repo.find('acme', 'k1')).toBeUndefined();
  });
}

describe('repositories on SQLite', () => {
  repositorySuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-repo-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('repositories on PostgreSQL', () => {
  repositorySuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
