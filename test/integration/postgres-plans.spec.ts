import { Client } from 'pg';
import { FixedQuery } from '../../src/storage/fixed-query';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
// The unit of work imports every repository, and with them every fixed query.
import '../../src/unit-of-work/kysely-unit-of-work';
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

  /** The plan PostgreSQL keeps for `text` prepared on this empty database (a generic plan, forced). */
  let prepared = 0;
  async function genericPlan(text: string): Promise<string> {
    const name = `q${prepared++}`;
    await admin.query('set plan_cache_mode = force_generic_plan');
    await admin.query(`prepare ${name} as ${text}`);
    const count = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const nulls = Array.from({ length: count }, () => 'null').join(', ');
    const rows = (await admin.query(`explain execute ${name}${count > 0 ? `(${nulls})` : ''}`)).rows;
    return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  }

  it('looks up the sender\'s facts by index only: the phone key\'s index, the contact\'s newest open conversation', async () => {
    const facts = [...FixedQuery.all].map((q) => q.sqlFor(handle.db)).find((text) => /from \(select 1 as one\)/.test(text));
    expect(facts).toMatch(/from \(select 1 as one\)/);
    const plan = await genericPlan(facts!);
    expect(plan).not.toMatch(/Seq Scan|Hash/);
    expect(plan).toMatch(/Index Scan using contacts_tenant_phone_uq on contacts/);
    expect(plan).toMatch(/using conversations_contact_idx on conversations/);
    expect(plan).toMatch(/Index Scan using interactions_provider_ref_uq on interactions/);
  });

  it('plans every fixed query (each inbound message\'s statements) with no sequential scan or hash', async () => {
    expect(FixedQuery.all.size).toBeGreaterThanOrEqual(16);
    const plans: string[] = [];
    for (const query of FixedQuery.all) {
      const text = query.sqlFor(handle.db);
      plans.push(`${text.slice(0, 80)}\n${await genericPlan(text)}`);
    }
    expect(plans.filter((plan) => /Seq Scan|Hash/.test(plan))).toEqual([]);
  });
});
