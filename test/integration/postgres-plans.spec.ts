import { Client } from 'pg';
import { senderFacts } from '../../src/conversations/sender-facts';
import { FixedQuery } from '../../src/storage/fixed-query';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { KyselyUnitOfWork } from '../../src/unit-of-work/kysely-unit-of-work';
import { EventOutbox } from '../../src/events/event-outbox.service';
import type { EventFanout } from '../../src/events/fanout/event-fanout';
import { MetricsService } from '../../src/metrics/metrics.service';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/**
 * The gateway prepares each statement once per connection, and PostgreSQL may keep a generic plan
 * made while the tables were empty (a new deployment, a new database) for as long as the
 * connection lives. The statement every inbound message or call step starts with must stay an
 * index lookup under such a plan: planned on empty tables, it once hashed the whole conversations
 * table per message and filtered every contact of the tenant by phone.
 */
describeWithPostgres('PostgreSQL plans made on empty tables', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    handle = openDatabase({ url: database.url });
    await migrate(handle.db);
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await handle.close();
    await database.drop();
  });

  /** The text and values of the statements `run` sends, as pg receives them. */
  async function sent(run: () => Promise<unknown>): Promise<Array<{ text: string; values: unknown[] }>> {
    const statements: Array<{ text: string; values: unknown[] }> = [];
    const original = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const config = args[0] as { text?: string; values?: unknown[] } | string;
      if (typeof config === 'object' && config.text) statements.push({ text: config.text, values: config.values ?? [] });
      return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return statements;
  }

  it('looks up the sender\'s facts by index only: the phone key\'s index, the contact\'s newest open conversation', async () => {
    const uow = new KyselyUnitOfWork(handle, new EventOutbox(handle, { publish: () => undefined } as unknown as EventFanout, new MetricsService()));
    const [facts] = await sent(() => senderFacts(uow.direct, 'acme', 'sms', 'SM0001', '+14155550123', 'sms:+14155550123'));
    expect(facts?.text).toMatch(/from \(select 1 as one\)/);
    await admin.query('set plan_cache_mode = force_generic_plan');
    await admin.query({ text: `prepare facts as ${facts!.text}` });
    const literals = facts!.values.map((v) => (v === null ? 'null' : admin.escapeLiteral(String(v)))).join(', ');
    const plan = (await admin.query(`explain execute facts(${literals})`)).rows
      .map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toMatch(/Seq Scan|Hash/);
    expect(plan).toMatch(/Index Scan using contacts_tenant_phone_uq on contacts/);
    expect(plan).toMatch(/using conversations_contact_idx on conversations/);
    expect(plan).toMatch(/Index Scan using interactions_provider_ref_uq on interactions/);
  });

  it('plans every fixed query (each inbound message\'s statements) with no sequential scan or hash', async () => {
    // Importing the unit of work loaded every repository, and with them every fixed query.
    expect(FixedQuery.all.size).toBeGreaterThanOrEqual(16);
    await admin.query('set plan_cache_mode = force_generic_plan');
    const plans: string[] = [];
    for (const [i, query] of [...FixedQuery.all].entries()) {
      const text = query.sqlFor(handle.db);
      const count = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      await admin.query(`prepare fixed${i} as ${text}`);
      const nulls = Array.from({ length: count }, () => 'null').join(', ');
      const plan = (await admin.query(`explain execute fixed${i}${count > 0 ? `(${nulls})` : ''}`)).rows
        .map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      plans.push(`${text.slice(0, 80)}\n${plan}`);
    }
    expect(plans.filter((plan) => /Seq Scan|Hash/.test(plan))).toEqual([]);
  });
});
