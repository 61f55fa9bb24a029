import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import type { Contact } from '../../src/contacts/domain/contact';
import { ConversationsRepository } from '../../src/conversations/conversations.repository';
import type { Conversation, Interaction } from '../../src/conversations/domain/conversation';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { IdempotencyRepository } from '../../src/idempotency/idempotency.repository';
import { MessagesRepository } from '../../src/messaging/messages.repository';
import { CallsRepository } from '../../src/calls/calls.repository';
import type { Call } from '../../src/calls/domain/call';
import SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../../src/storage/schema';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { isUniqueViolation, type Executor } from '../../src/storage/store';
import { Client } from 'pg';
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

  it('keeps a message\'s provider attempts (failover), read back as none before any are recorded', async () => {
    const c = contact();
    await new ContactsRepository(handle.db).insert(c);
    const conv = conversation(c.id);
    const conversations = new ConversationsRepository(handle.db);
    await conversations.insert(conv);
    const sms: Interaction = { ...chat(conv.id, 'unused'), channel: 'sms', direction: 'outbound', state: 'queued', provider: 'twilio', providerRef: null, origin: null };
    await conversations.insertInteraction('acme', sms);
    const messages = new MessagesRepository(handle.db);
    await messages.insert('acme', { interactionId: sms.id, body: 'hi', segments: 1, encoding: 'GSM-7', errorCode: null, errorMessage: null });
    expect((await messages.find('acme', sms.id))!.attempts).toEqual([]);
    const attempts = [{ provider: 'twilio', error: 'twilio refused the message: Service Unavailable', code: '20500' }, { provider: 'telnyx', error: null, code: null }];
    await messages.setAttempts('acme', sms.id, attempts);
    await messages.setAttempts('other', sms.id, []);
    expect((await messages.find('acme', sms.id))!.attempts).toEqual(attempts);
    expect((await messages.contentsOf('acme', [sms.id]))[0]!.attempts).toEqual(attempts);
  });

  it('keeps a call\'s provider attempts and failure (migration 022), read back as none before any are recorded', async () => {
    const c = contact();
    await new ContactsRepository(handle.db).insert(c);
    const conv = conversation(c.id);
    await new ConversationsRepository(handle.db).insert(conv);
    const calls = new CallsRepository(handle.db);
    const voice: Interaction = { ...chat(conv.id, 'unused'), channel: 'voice', direction: 'outbound', state: 'initiating', provider: 'twilio', providerRef: null, origin: null };
    const call: Call = { tenantId: 'acme', interaction: voice, details: { agentEndpoint: 'user:alice', callerId: '+14155550100', muted: false, answeredAt: null, consent: null, refs: {} } };
    await calls.insert(call);
    expect((await calls.find('acme', voice.id))!.details).toMatchObject({ attempts: [], failure: null });
    const attempts = [{ provider: 'twilio', error: 'twilio could not place the call: Service Unavailable', code: '20503' }, { provider: 'jambonz', error: 'invalid from', code: '400' }];
    const failure = { provider: 'jambonz', code: '400', message: 'invalid from' };
    await calls.update({ ...call, interaction: { ...voice, provider: 'jambonz', state: 'failed' }, details: { ...call.details, attempts, failure } });
    const read = (await calls.find('acme', voice.id))!;
    expect(read.interaction.provider).toBe('jambonz');
    expect(read.details).toMatchObject({ attempts, failure });
    expect((await calls.detailsOf('acme', [voice.id])).get(voice.id)).toMatchObject({ attempts, failure });
  });

  it('keeps tenants and their numbers, and upserts by id', async () => {
    const repo = new TenantsRepository(handle.db);
    await repo.upsert({ id: 'acme', name: 'ACME Insurance', defaultRegion: 'GB' }, at);
    await repo.replaceNumbers('acme', ['+442071838750']);
    const acme = await handle.db.selectFrom('tenants').select(['id', 'name', 'defaultRegion']).where('id', '=', 'acme').executeTakeFirst();
    expect(acme).toEqual({ id: 'acme', name: 'ACME Insurance', defaultRegion: 'GB' });
    const owners = await handle.db.selectFrom('tenantNumbers').selectAll().execute();
    expect(owners).toEqual([{ number: '+442071838750', tenantId: 'acme', provider: null }]);
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
      { number: '+14155550100', tenantId: 'other', provider: null },
      { number: '+442071838750', tenantId: 'acme', provider: null },
      { number: '+442071838751', tenantId: 'other', provider: null },
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

  it('stores an interaction and touches its conversation in the same call, in the tenant only', async () => {
    const contacts = new ContactsRepository(handle.db);
    const repo = new ConversationsRepository(handle.db);
    const c = contact({ phone: '+447700900012' });
    await contacts.insert(c);
    const [touched, untouched] = [conversation(c.id), conversation(c.id)];
    for (const conv of [touched!, untouched!]) await repo.insert(conv);
    const later = '2026-01-02T00:00:00.000Z';
    const sms = chat(touched!.id, `session-touch-${newId()}`);
    await handle.transaction((tx) => new ConversationsRepository(tx).insertInteraction('acme', sms, { at: later }));
    expect(await repo.findById('acme', touched!.id)).toEqual({ ...touched, lastActivityAt: later, updatedAt: later });
    expect(await repo.findById('acme', untouched!.id)).toEqual(untouched);
    expect(await repo.findInteraction('acme', sms.id)).toEqual(sms);
    // Without `touch` the conversation is left as it was.
    await repo.insertInteraction('acme', chat(untouched!.id, `session-plain-${newId()}`));
    expect(await repo.findById('acme', untouched!.id)).toEqual(untouched);
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

  it('gives events increasing positions per tenant, a transaction\'s events adjacent, under concurrent writers', async () => {
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
    expect(events).toHaveLength(40);
    const seqs = events.map((e) => e.seq);
    expect(seqs.every((seq, i) => seq > (i === 0 ? before : seqs[i - 1]!))).toBe(true);
    expect(await log.lastSeq('acme')).toBe(seqs.at(-1));
    // The two events of one transaction are adjacent, in the order appended.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]!.type).toBe('test.first');
      expect(events[i + 1]!.type).toBe('test.second');
      expect(events[i + 1]!.data).toEqual(events[i]!.data);
      expect(events[i + 1]!.seq).toBe(events[i]!.seq + 1);
    }
    expect(new Set(events.map((e) => e.data.n)).size).toBe(20);
    expect(await log.lastSeq('other')).toBe(otherBefore);
    expect(await log.readAfter('other', otherBefore, 10)).toEqual([]);
  });

  it('never lets a polling reader see a gap filled later, with transactions held open while later ones commit', async () => {
    const log = new EventLogRepository(handle.db);
    const start = await log.lastSeq('acme');
    const seen: number[] = [];
    const seenIds: string[] = [];
    let position = start;
    let writing = true;
    let outOfOrder = 0;
    const read = async (): Promise<void> => {
      const batch = await log.readAfter('acme', position, 1000);
      for (const event of batch) {
        if (event.seq <= position) outOfOrder++;
        position = event.seq;
        seen.push(event.seq);
        seenIds.push(event.id);
      }
    };
    const reader = (async () => {
      while (writing) {
        await read();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // 20 units of one tenant at once. Every third one takes its transaction id with another write,
    // then waits before appending and again before committing, while the others commit.
    const committed = await Promise.all(Array.from({ length: 20 }, (_, n) => handle.transaction(async (tx) => {
      const held = n % 3 === 0;
      if (held) {
        await new ContactsRepository(tx).insert(contact({ name: `held-${n}` }));
        await pause(40 + n * 3);
      }
      const stored = await new EventLogRepository(tx).append('acme', [
        { type: 'test.concurrent', conversationId: null, data: { n } },
        { type: 'test.concurrent', conversationId: null, data: { n } },
      ], nowIso());
      if (held) await pause(40 + n * 3);
      else if (n % 2 === 0) await pause(5);
      return stored.map((e) => e.id);
    })));
    writing = false;
    await reader;
    await read();
    expect(outOfOrder).toBe(0);
    expect(seen.every((seq, i) => seq > (i === 0 ? start : seen[i - 1]!))).toBe(true);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort()).toEqual(committed.flat().sort());
    // And a reader starting from scratch agrees with the one that followed along.
    expect((await log.readAfter('acme', start, 1000)).map((e) => e.id)).toEqual(seenIds);
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
    // Only the two committed units' events, after before (in whichever order they committed).
    const events = await log.readAfter('acme', before, 10);
    expect(events).toHaveLength(2);
    expect(events[0]!.seq).toBeGreaterThan(before);
    expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);
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

/** A store written by the per-tenant counter (schema 009), then upgraded: cursors handed out stay valid. */
function upgradeSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  it('numbers new events above every cursor handed out before migration 010, for every tenant', async () => {
    const { handle, cleanup } = await open();
    try {
      const { Migrator } = await import('kysely');
      const { migrationProvider } = await import('../../src/storage/migrations');
      const migrated = await new Migrator({ db: handle.db, provider: migrationProvider }).migrateTo('009-simulator-media');
      expect(migrated.error).toBeUndefined();
      const at = '2026-01-01T00:00:00.000Z';
      for (const [id, last] of [['acme', 7], ['other', 4200]] as const) {
        await sql`insert into tenants (id, name, default_region, last_event_seq, created_at) values (${id}, ${id}, 'GB', ${last}, ${at})`.execute(handle.db);
        for (let seq = 1; seq <= last; seq += last > 100 ? 1000 : 1) {
          await sql`insert into events (tenant_id, seq, id, type, at, data) values (${id}, ${seq}, ${newId()}, 'old', ${at}, '{}')`.execute(handle.db);
        }
      }
      await migrate(handle.db);
      await expect(handle.check()).resolves.toBeUndefined();
      const log = new EventLogRepository(handle.db);
      expect(await log.lastSeq('acme')).toBe(7);
      const [fresh] = await handle.transaction((tx) => new EventLogRepository(tx).append('acme', [{ type: 'new', conversationId: null, data: {} }], nowIso()));
      // Above what any tenant's cursor may hold, so a cursor of `other` can never be passed by acme's.
      expect(fresh!.seq).toBeGreaterThan(4200);
      expect((await log.readAfter('acme', 7, 10)).map((e) => e.type)).toEqual(['new']);
      expect((await log.readAfter('acme', 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, fresh!.seq]);
    } finally {
      await handle.close();
      await cleanup();
    }
  });
}

describe('upgrading the event log on SQLite', () => {
  upgradeSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-upgrade-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('upgrading the event log on PostgreSQL', () => {
  upgradeSuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});

describe('query plans on SQLite', () => {
  it('finds a contact\'s latest conversation with one index seek, not by walking the tenant\'s conversations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-plan-'));
    const file = join(dir, 'test.db');
    const handle = openDatabase({ url: `sqlite:${file}` });
    await migrate(handle.db);
    await handle.close();
    const sqlite = new SqliteDatabase(file);
    const statements: string[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: sqlite }), plugins: [new CamelCasePlugin()], log: (e) => void statements.push(e.query.sql),
    });
    try {
      await new ConversationsRepository(db).latestOfContact('acme', 'c1');
      expect(statements).toHaveLength(1);
      const plan = sqlite.prepare(`explain query plan ${statements[0]}`).all('acme', 'c1') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail)).toEqual([expect.stringMatching(/USING INDEX conversations_contact_\w+ \(tenant_id=\? AND contact_id=\?\)/)]);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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

describeWithPostgres('prepared statements on PostgreSQL', () => {
  it('keep answering after another instance\'s migration changed a table they read', async () => {
    const database = await createTestDatabase();
    const handle = openDatabase({ url: database.url });
    const other = new Client({ connectionString: database.url });
    try {
      await migrate(handle.db);
      await new TenantsRepository(handle.db).upsert({ id: 'acme', name: 'ACME', defaultRegion: 'GB' }, '2026-01-01T00:00:00.000Z');
      const readAll = (db: Executor) => db.selectFrom('tenants').selectAll().execute();
      // Every connection of the pool prepares `select *` from tenants.
      await Promise.all(Array.from({ length: 10 }, () => handle.transaction(readAll)));
      await other.connect();
      await other.query('alter table tenants add column added_by_a_newer_instance text');
      // Prepared plans of the old shape now fail ('cached plan must not change result type'):
      // reads outside a transaction run again unprepared, transactions run again on a fresh connection.
      for (let i = 0; i < 10; i++) expect((await readAll(handle.db)).map((t) => t.id)).toEqual(['acme']);
      await other.query('alter table tenants add column and_another text');
      const units = await Promise.all(Array.from({ length: 10 }, () => handle.transaction(readAll)));
      expect(units.map((rows) => rows.length)).toEqual(Array(10).fill(1));
    } finally {
      await other.end().catch(() => undefined);
      await handle.close();
      await database.drop();
    }
  });
});

describeWithPostgres('the event log on PostgreSQL', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    database = await createTestDatabase();
    handle = openDatabase({ url: database.url });
    await migrate(handle.db);
    await new TenantsRepository(handle.db).upsert({ id: 'acme', name: 'ACME', defaultRegion: 'GB' }, at);
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('lets two transactions of one tenant append without waiting for each other, and shows neither before the older commits', async () => {
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => { releaseA = resolve; });
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((resolve) => { aAppended = resolve; });
    const a = handle.db.transaction().execute(async (tx) => {
      const [event] = await new EventLogRepository(tx).append('acme', [{ type: 'test.a', conversationId: null, data: {} }], nowIso());
      aAppended();
      await aMayCommit;
      return event!;
    });
    await aHasAppended;
    // B appends and commits while A holds its transaction open: with a per-tenant counter row this
    // waited for A's commit (here: a timeout).
    const b = handle.db.transaction().execute(async (tx) =>
      (await new EventLogRepository(tx).append('acme', [{ type: 'test.b', conversationId: null, data: {} }], nowIso()))[0]!);
    const timeout = new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 3000).unref());
    const bEvent = await Promise.race([b, timeout]);
    if (bEvent === 'blocked') {
      releaseA();
      await a;
      throw new Error('transaction B waited for transaction A');
    }
    expect(bEvent.seq).toBeGreaterThan(before);
    // B is committed, but A (older, still running) may yet commit an earlier position: B is held back.
    expect(await log.lastSeq('acme')).toBe(before);
    expect(await log.readAfter('acme', before, 10)).toEqual([]);
    releaseA();
    const aEvent = await a;
    expect(aEvent.seq).toBeLessThan(bEvent.seq);
    expect((await log.readAfter('acme', before, 10)).map((e) => e.type)).toEqual(['test.a', 'test.b']);
    expect(await log.lastSeq('acme')).toBe(bEvent.seq);
  });

  it('numbers several appends of one transaction on, and refuses the event that would leave its block of 1024', async () => {
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');
    const many = (n: number, type: string) => Array.from({ length: n }, (_, i) => ({ type, conversationId: null, data: { i } }));
    const [first, second] = await handle.db.transaction().execute(async (tx) => {
      const repo = new EventLogRepository(tx);
      return [await repo.append('acme', many(1000, 'test.first'), at), await repo.append('acme', many(24, 'test.second'), at)];
    });
    expect(first!.map((e) => e.seq)).toEqual(first!.map((_, i) => first![0]!.seq + i));
    expect(second!.map((e) => e.seq)).toEqual(second!.map((_, i) => first![0]!.seq + 1000 + i));
    const stored = await log.readAfter('acme', before, 2000);
    expect(stored.map((e) => [e.seq, e.type, e.data])).toEqual([...first!, ...second!].map((e) => [e.seq, e.type, e.data]));
    await expect(handle.db.transaction().execute(async (tx) => {
      const repo = new EventLogRepository(tx);
      await repo.append('acme', many(1000, 'test.first'), at);
      await repo.append('acme', many(25, 'test.second'), at);
    })).rejects.toThrow('at most 1024 events per tenant');
    expect(await log.lastSeq('acme')).toBe(second!.at(-1)!.seq);
  });

  it('stores nothing of a unit whose events overflow its block, not even the insert riding with them', async () => {
    const contactId = newId();
    await new ContactsRepository(handle.db).insert({
      id: contactId, tenantId: 'acme', name: null, phone: null, email: null, externalId: `over-${contactId}`, optedOutAt: null, createdAt: at, updatedAt: at,
    });
    const conversationId = newId();
    const many = Array.from({ length: 1025 }, (_, i) => ({ type: 'test.over', conversationId, data: { i } }));
    // The conversation's insert waits and goes out with the unit's last statement, the append (storage/write-behind.ts).
    await expect(handle.db.transaction().execute(async (tx) => {
      await new ConversationsRepository(tx).insert({
        id: conversationId, tenantId: 'acme', contactId, status: 'active', agentId: null, context: null, disposition: null, notes: null,
        createdAt: at, updatedAt: at, closedAt: null, lastActivityAt: at,
      });
      await new EventLogRepository(tx).append('acme', many, at, { last: true });
    })).rejects.toThrow('at most 1024 events per tenant');
    expect(await new ConversationsRepository(handle.db).findById('acme', conversationId)).toBeUndefined();
  });
});
