import SqliteDatabase from 'better-sqlite3';
import {
  CamelCasePlugin, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, SqliteDialect,
} from 'kysely';
import { allColumns, FixedQuery } from './fixed-query';
import type { Database } from './schema';

function sqliteDb(): { db: Kysely<Database>; statements: string[] } {
  const sqlite = new SqliteDatabase(':memory:');
  sqlite.exec(`create table contacts (id text primary key, tenant_id text, name text, phone text, email text,
    external_id text, opted_out_at text, created_at text, updated_at text)`);
  const statements: string[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => (statements.push(source), prepare(source))) as typeof sqlite.prepare;
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins: [new CamelCasePlugin()] }), statements };
}

const contact = (id: string, phone: string | null) => ({
  id, tenantId: 'acme', name: null, phone, email: null, externalId: `x-${id}`, optedOutAt: null, createdAt: 't0', updatedAt: 't0',
});
const COLUMNS = { id: true, tenantId: true, name: true, phone: true, email: true, externalId: true, optedOutAt: true, createdAt: true, updatedAt: true } as const;

describe('FixedQuery', () => {
  const insert = new FixedQuery((db, row: ReturnType<typeof contact>) => db.insertInto('contacts').values(allColumns(row, COLUMNS)));
  // tenantId twice, a constant of the query between: each lands in its own place on every run.
  const byPhone = new FixedQuery((db, p: { tenantId: string; phone: string }) =>
    db.selectFrom('contacts').selectAll().where('tenantId', '=', p.tenantId).where('id', '!=', 'c-hidden')
      .where('phone', '=', p.phone).where('tenantId', '=', p.tenantId));

  it('runs again with new values, constants kept, rows through the plugins (camelCase)', async () => {
    const { db } = sqliteDb();
    for (const [id, phone] of [['c1', '+1'], ['c2', '+2'], ['c-hidden', '+2']] as const) await insert.execute(db, contact(id, phone));
    expect(await byPhone.rows(db, { tenantId: 'acme', phone: '+1' })).toEqual([contact('c1', '+1')]);
    expect(await byPhone.rows(db, { tenantId: 'acme', phone: '+2' })).toEqual([contact('c2', '+2')]);
    expect(await byPhone.rows(db, { tenantId: 'other', phone: '+2' })).toEqual([]);
    await db.destroy();
  });

  it('is built once per database, inside transactions too', async () => {
    const built = jest.fn();
    const query = new FixedQuery((db, p: { phone: string }) => (built(), db.selectFrom('contacts').select('id').where('phone', '=', p.phone)));
    const { db } = sqliteDb();
    await query.rows(db, { phone: '+1' });
    await db.transaction().execute((tx) => query.rows(tx, { phone: '+2' }));
    expect(built).toHaveBeenCalledTimes(1);
    const other = sqliteDb();
    await query.rows(other.db, { phone: '+1' });
    expect(built).toHaveBeenCalledTimes(2);
    await db.destroy();
    await other.db.destroy();
  });

  it('compiles for each dialect on its own (PostgreSQL numbers its parameters)', async () => {
    const pg = new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler(),
      },
      plugins: [new CamelCasePlugin()],
    });
    const seen: string[] = [];
    const executor = pg.getExecutor();
    jest.spyOn(executor, 'executeQuery').mockImplementation(async (q) => (seen.push(`${q.sql} ${JSON.stringify(q.parameters)}`), { rows: [] }));
    jest.spyOn(pg, 'getExecutor').mockReturnValue(executor);
    await byPhone.rows(pg, { tenantId: 'acme', phone: '+9' });
    expect(seen).toEqual([
      'select * from "contacts" where "tenant_id" = $1 and "id" != $2 and "phone" = $3 and "tenant_id" = $4 ["acme","c-hidden","+9","acme"]',
    ]);
    const { db, statements } = sqliteDb();
    await byPhone.rows(db, { tenantId: 'acme', phone: '+9' });
    expect(statements.at(-1)).toBe('select * from "contacts" where "tenant_id" = ? and "id" != ? and "phone" = ? and "tenant_id" = ?');
    await db.destroy();
  });

  it('refuses a build that does not pass a value through unchanged', async () => {
    const { db } = sqliteDb();
    const changed = new FixedQuery((db, p: { phone: string }) => db.selectFrom('contacts').selectAll().where('phone', '=', `+${p.phone}`));
    await expect(changed.rows(db, { phone: '1' })).rejects.toThrow(/pass its values through unchanged; not passed as parameters: phone/);
    const inlined = new FixedQuery((db, p: { phone: string }) => db.selectFrom('contacts').selectAll().where('phone', '=', sql.lit(p.phone)));
    await expect(inlined.rows(db, { phone: '1' })).rejects.toThrow(/pass its values through unchanged/);
    await db.destroy();
  });

  it('stores null for a value left undefined', async () => {
    const { db } = sqliteDb();
    await insert.execute(db, { ...contact('c1', '+1'), name: undefined as unknown as null });
    expect((await byPhone.first(db, { tenantId: 'acme', phone: '+1' }))?.name).toBeNull();
    await db.destroy();
  });
});
