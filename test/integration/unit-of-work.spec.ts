import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contact } from '../../src/contacts/domain/contact';
import type { Channel, Conversation, Interaction } from '../../src/conversations/domain/conversation';
import { senderFacts } from '../../src/conversations/sender-facts';
import { newId } from '../../src/common/ids';
import type { StoredEvent } from '../../src/events/domain/event';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { EventOutbox } from '../../src/events/event-outbox.service';
import type { EventFanout } from '../../src/events/fanout/event-fanout';
import { MetricsService } from '../../src/metrics/metrics.service';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { KyselyUnitOfWork } from '../../src/unit-of-work/kysely-unit-of-work';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';

/** The Kysely unit of work on a real store: a unit's rows and events commit together, and are fanned out only then. */
function unitOfWorkSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let published: Array<{ tenantId: string; seq: number; types: string[] }>;
  let uow: KyselyUnitOfWork;
  const at = '2026-01-01T00:00:00.000Z';
  const contact = (): Contact => ({
    id: newId(), tenantId: 'acme', name: null, phone: null, email: null, externalId: newId(), optedOutAt: null, createdAt: at, updatedAt: at,
  });
  const optedOut = (c: Contact) => [{ type: 'contact.opted_out' as const, conversationId: null, data: { contactId: c.id, keyword: 'STOP' } }];

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    const fanout = {
      kind: 'memory', publish: (tenantId: string, seq: number, committed?: StoredEvent[]) => published.push({ tenantId, seq, types: (committed ?? []).map((e) => e.type) }),
    } as unknown as EventFanout;
    uow = new KyselyUnitOfWork(handle, new EventOutbox(handle, fanout, new MetricsService()));
    await uow.run((w) => w.tenants.upsert({ id: 'acme', name: 'ACME', defaultRegion: 'GB' }, at));
  });

  beforeEach(() => { published = []; });

  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it("commits a unit's rows and events together, then fans the events out once", async () => {
    const c = contact();
    await uow.run(async (w) => {
      await w.contacts.insert(c);
      return w.emit('acme', optedOut(c), at);
    });

    expect(await uow.direct.contacts.findById('acme', c.id)).toEqual(c);
    expect(published).toEqual([{ tenantId: 'acme', seq: expect.any(Number), types: ['contact.opted_out'] }]);
    const log = await new EventLogRepository(handle.db).readAfter('acme', published[0]!.seq - 1, 10);
    expect(log.map((e) => [e.type, e.data])).toEqual([['contact.opted_out', { contactId: c.id, keyword: 'STOP' }]]);
  });

  it('rolls back the rows and the events of a unit that throws, and fans nothing out', async () => {
    const c = contact();
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');

    await expect(uow.run(async (w) => {
      await w.contacts.insert(c);
      await w.emit('acme', optedOut(c), at);
      throw new Error('boom');
    })).rejects.toThrow('boom');

    expect(await uow.direct.contacts.findById('acme', c.id)).toBeUndefined();
    expect(await log.readAfter('acme', before, 10)).toEqual([]);
    expect(published).toEqual([]);
  });

  it("binds every repository of a unit to the unit's transaction", async () => {
    const c = contact();
    await expect(uow.run(async (w) => {
      await w.contacts.insert(c);
      // Read back inside the unit: the same transaction sees its own write.
      expect(await w.contacts.findById('acme', c.id)).toEqual(c);
      await w.idempotency.reserve('acme', `k-${c.id}`, 'h', at);
      throw new Error('undo');
    })).rejects.toThrow('undo');
    expect(await uow.direct.idempotency.find('acme', `k-${c.id}`)).toBeUndefined();
  });

  // On PostgreSQL these inserts wait for the unit's next statement (storage/write-behind.ts).
  const smsRows = (c: Contact, providerRef = newId()) => {
    const conversation: Conversation = {
      id: newId(), tenantId: 'acme', contactId: c.id, status: 'active', agentId: null, context: null, disposition: null,
      notes: null, createdAt: at, updatedAt: at, closedAt: null, lastActivityAt: at,
    };
    const interaction: Interaction = {
      id: newId(), conversationId: conversation.id, channel: 'sms', direction: 'inbound', state: 'received', provider: 'twilio', providerRef,
      from: '+14155550123', to: '+14155550100', origin: null, endReason: null, startedAt: at, endedAt: at, updatedAt: at,
    };
    return { conversation, interaction, message: { interactionId: interaction.id, body: 'hi', segments: 1, encoding: 'GSM-7' as const, errorCode: null, errorMessage: null } };
  };

  it("stores a unit's conversation, interaction, message and events together when the inserts ride with the event append", async () => {
    const c = contact();
    const { conversation, interaction, message } = smsRows(c);
    const later = '2026-01-01T00:00:05.000Z';
    await uow.run(async (w) => {
      await w.contacts.insert(c);
      await w.conversations.insert(conversation);
      await w.conversations.insertInteraction('acme', interaction);
      await w.messages.insert('acme', message);
      return w.emit('acme', optedOut(c), at);
    });
    // Joining it later: the touch rides with the interaction's insert, and both with the append.
    const next = { ...interaction, id: newId(), providerRef: newId() };
    await uow.run(async (w) => {
      await w.conversations.insertInteraction('acme', next, { at: later });
      await w.messages.insert('acme', { ...message, interactionId: next.id });
      return w.emit('acme', optedOut(c), later);
    });

    expect(await uow.direct.conversations.findById('acme', conversation.id)).toEqual({ ...conversation, lastActivityAt: later, updatedAt: later });
    expect(await uow.direct.conversations.findInteractionByRef('acme', 'sms', interaction.providerRef!)).toEqual(interaction);
    expect(await uow.direct.conversations.findInteractionByRef('acme', 'sms', next.providerRef)).toEqual(next);
    expect(await uow.direct.messages.find('acme', next.id)).toMatchObject({ body: 'hi', segments: 1 });
    expect((await new EventLogRepository(handle.db).readAfter('acme', published[0]!.seq - 1, 10)).map((e) => e.type)).toEqual(['contact.opted_out', 'contact.opted_out']);
  });

  it("answers an inbound sender's facts (one statement on PostgreSQL): retry, contact and open conversation, each possibly missing", async () => {
    const phone = `+1415${String(Date.now() % 10_000_000).padStart(7, '0')}`;
    const c = { ...contact(), externalId: null, phone, optedOutAt: '2026-01-01T00:00:01.000Z' };
    const closed = { ...smsRows(c).conversation, status: 'closed' as const, closedAt: at };
    const { conversation, interaction } = smsRows(c);
    const open = { ...conversation, agentId: 'ada', context: { order: 7 } };
    await uow.run(async (w) => {
      await w.contacts.insert(c);
      await w.conversations.insert(open);
      await w.conversations.insert(closed); // newer id, but closed: not the one to join
      await w.conversations.insertInteraction('acme', interaction);
    });
    const ref = interaction.providerRef!;
    const found = { contact: c, open };
    // Inside a unit (on SQLite: run on the held connection directly) and on the plain connection.
    // Joined on PostgreSQL, three lookups on SQLite: the same facts.
    type Args = [tenantId: string, channel: Channel, providerRef: string, phone: string];
    const externalId = 'sms:unparseable';
    for (const facts of [(...a: Args) => uow.run((w) => senderFacts(w, ...a, externalId)), (...a: Args) => senderFacts(uow.direct, ...a, externalId)]) {
      expect(await facts('acme', 'sms', ref, phone)).toEqual({ seen: { id: interaction.id, conversationId: open.id }, ...found });
      expect(await facts('acme', 'sms', newId(), phone)).toEqual(found);
      expect(await facts('acme', 'voice', ref, phone)).toEqual(found); // references are per channel
      expect(await facts('acme', 'sms', newId(), '+14155559999')).toEqual({});
      expect(await facts('acme', 'sms', ref, '+14155559999')).toEqual({ seen: { id: interaction.id, conversationId: open.id } });
      expect(await facts('other', 'sms', ref, phone)).toEqual({});
    }
    await uow.run((w) => w.conversations.update({ ...open, status: 'closed', closedAt: at }));
    expect(await senderFacts(uow.direct, 'acme', 'sms', newId(), phone, externalId)).toEqual({ contact: c });
  });

  it('lets a read later in the unit see the inserts made before it', async () => {
    const c = contact();
    const { conversation, interaction } = smsRows(c);
    const seen = await uow.run(async (w) => {
      await w.contacts.insert(c);
      await w.conversations.insert(conversation);
      await w.conversations.insertInteraction('acme', interaction);
      return [await w.conversations.findOpenOfContact('acme', c.id), await w.conversations.findInteraction('acme', interaction.id)];
    });
    expect(seen).toEqual([conversation, interaction]);
  });

  it('fails the whole unit, events included, when an insert fails, even one whose error comes with a later statement', async () => {
    const c = contact();
    const first = smsRows(c);
    await uow.run(async (w) => {
      await w.contacts.insert(c);
      await w.conversations.insert(first.conversation);
    });
    const log = new EventLogRepository(handle.db);
    const before = await log.lastSeq('acme');
    const orphan = { ...first.message, interactionId: 'no-such-interaction' };
    const { interaction } = smsRows(c);
    const failing = uow.run(async (w) => {
      await w.conversations.insertInteraction('acme', { ...interaction, conversationId: first.conversation.id });
      await w.messages.insert('acme', orphan); // refused by its foreign key
      return w.emit('acme', optedOut(c), at);
    });

    // better-sqlite3's errors come from another realm under jest's workers: match the message, not the class.
    await expect(failing).rejects.toMatchObject({ message: expect.stringMatching(/foreign key/i) });
    expect(await uow.direct.conversations.findInteraction('acme', interaction.id)).toBeUndefined();
    expect(await log.lastSeq('acme')).toBe(before);
    expect(published).toEqual([]);
    // Likewise when nothing follows the failing insert but the commit.
    await expect(uow.run((w) => w.messages.insert('acme', orphan))).rejects.toMatchObject({ message: expect.stringMatching(/foreign key/i) });
    // The connection is fine afterwards: the next unit commits.
    await uow.run((w) => w.conversations.insertInteraction('acme', { ...interaction, conversationId: first.conversation.id }));
    expect(await uow.direct.conversations.findInteraction('acme', interaction.id)).toEqual({ ...interaction, conversationId: first.conversation.id });
  });

  it('reads a snapshot in a transaction of its own', async () => {
    const c = contact();
    await uow.direct.contacts.insert(c);
    const read = await uow.snapshot(async (r) => [await r.contacts.findById('acme', c.id), await r.conversations.findById('acme', 'nope')]);
    expect(read).toEqual([c, undefined]);
  });
}

describe('the unit of work on SQLite', () => {
  unitOfWorkSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-uow-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('the unit of work on PostgreSQL', () => {
  unitOfWorkSuite(async () => {
    const database = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
