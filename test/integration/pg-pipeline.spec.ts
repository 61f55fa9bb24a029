import { Client, Pool, types } from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { withPreparedStatements } from '../../src/storage/pg-client';
import { StatementPipeline } from '../../src/storage/pg-pipeline';
import { markWriteBehind } from '../../src/storage/write-behind';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

// A unit's whole write as one statement (as the outbox's last append is): it stands alone.
const WRITE = 'insert into pipe_rows (id, note) values ($1, $2) returning id, pg_current_xact_id()::text as xact /* last */';
// The same write under another text: a statement of its own to prepare.
const WRITE_AGAIN = WRITE.replace('/* last */', '/* last, again */');
const READ = 'select $1::int as n, $1::bigint as big, pg_backend_pid() as pid, pg_current_xact_id_if_assigned()::text as xact';
markWriteBehind(WRITE, 'last');
markWriteBehind(WRITE_AGAIN, 'last');

/**
 * The pipeline on a real PostgreSQL: statements of concurrent units that each stand alone share
 * one write, one round trip and one commit, and each unit still gets its own answer or error.
 */
describeWithPostgres('statements of concurrent units, pipelined on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let db: PostgresPool;
  let admin: Client;
  /** What pg was asked to run, per connection: a pipelined batch counts once. */
  let submitted: string[] = [];
  /** Describe messages written, on every connection. */
  let describes = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query('create table pipe_rows (id int primary key, note text not null)');
    // bigint as a number, as the gateway's pool has it (storage/database.ts).
    pool = new Pool({ connectionString: database.url, max: 10, types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      (oid === 20 ? Number : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser } });
    pool.on('connect', (client) => {
      const connection = (client as unknown as { connection: { describe: (...args: unknown[]) => unknown } }).connection;
      const describe = connection.describe.bind(connection);
      connection.describe = (...args: unknown[]) => {
        describes++;
        return describe(...args);
      };
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (config: { text?: string; constructor: { name: string } }, ...rest: unknown[]) => {
        submitted.push(config.text ?? config.constructor.name);
        return query(config, ...rest);
      };
    });
    pool.on('error', () => undefined); // a connection the test terminates
    db = withPreparedStatements(pool, 500, new StatementPipeline());
    // Every connection open before the first test: units then get theirs in the same turn.
    const clients = await Promise.all(Array.from({ length: 10 }, () => db.connect()));
    clients.forEach((c) => c.release());
  });
  afterAll(async () => {
    await pool.end();
    await admin.end();
    await database.drop();
  });
  beforeEach(() => {
    submitted = [];
    describes = 0;
  });

  /** A unit as Kysely runs one: its own connection, BEGIN, the statement, COMMIT (or ROLLBACK when it failed). */
  async function unit<T>(statement: (client: PostgresPoolClient) => Promise<T>): Promise<T> {
    const client = await db.connect();
    try {
      await client.query('begin', []);
      const result = await statement(client);
      await client.query('commit', []);
      return result;
    } catch (error) {
      await client.query('rollback', []);
      throw error;
    } finally {
      client.release();
    }
  }
  const write = (id: number, note: unknown = `row ${id}`, text = WRITE) =>
    unit((c) => c.query<{ id: number; xact: string }>(text, [id, note])).then((r) => r.rows[0]!);
  const read = (n: number) => unit((c) => c.query<{ n: number; big: unknown; pid: number; xact: string | null }>(READ, [n])).then((r) => r.rows[0]!);
  const stored = async () => (await admin.query('select id from pipe_rows order by id')).rows.map((r: { id: number }) => r.id);

  it('sends the writes of units ready together in one round trip, committed as one transaction', async () => {
    const rows = await Promise.all([1, 2, 3, 4, 5].map((id) => write(id)));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(rows.map((r) => r.xact)).size).toBe(1);
    expect(submitted).toEqual(['PipelinedBatch']);
    expect(await stored()).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends reads apart from writes, on one connection, in no transaction of a write', async () => {
    const [reads, writes] = await Promise.all([Promise.all([1, 2, 3].map(read)), Promise.all([6, 7].map((id) => write(id)))]);
    expect(reads.map((r) => r.n)).toEqual([1, 2, 3]);
    // Parsed by the pool's own type parsers: a bigint comes back as a number, not as text.
    expect(reads.map((r) => r.big)).toEqual([1, 2, 3]);
    expect(new Set(reads.map((r) => r.pid)).size).toBe(1);
    expect(reads.map((r) => r.xact)).toEqual([null, null, null]);
    expect(new Set(writes.map((w) => w.xact)).size).toBe(1);
    expect(submitted).toEqual(['PipelinedBatch', 'PipelinedBatch']);
  });

  it('describes a prepared statement once per connection, and reads its rows as before', async () => {
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const reads = await Promise.all([1, 2, 3].map((n) => read(round * 10 + n)));
      expect(reads.map((r) => r.n)).toEqual([1, 2, 3].map((n) => round * 10 + n));
      expect(reads.map((r) => r.big)).toEqual([1, 2, 3].map((n) => round * 10 + n)); // the pool's parsers still
    }
    expect(submitted.filter((s) => s === 'PipelinedBatch')).toHaveLength(rounds);
    // Each batch carries the statement on one of the pool's 10 connections: once described there,
    // never again (described for every member, it would be 3 per round).
    expect(describes).toBeLessThanOrEqual(10);
  });

  it('reads a statement of a changed table right after its kept description is refused', async () => {
    await admin.query('create table pipe_shape (id int primary key)');
    await admin.query('insert into pipe_shape values (1), (2), (3)');
    const selectAll = 'select * from pipe_shape where id = $1';
    const each = () => Promise.all([1, 2, 3].map((id) => unit((c) => c.query<Record<string, unknown>>(selectAll, [id])).then((r) => r.rows[0])));
    for (let round = 0; round < 12; round++) expect(await each()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await admin.query("alter table pipe_shape add column label text not null default 'new'");
    // Refused on every connection that kept the old plan (each then dropped), run again apart: the new column is there.
    for (let round = 0; round < 3; round++) {
      expect(await each()).toEqual([{ id: 1, label: 'new' }, { id: 2, label: 'new' }, { id: 3, label: 'new' }]);
    }
  });

  it('fails only the statement the server refuses: the others are run again apart and committed', async () => {
    const outcomes = await Promise.allSettled([10, 11, 1, 12].map((id) => write(id)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(await stored()).toEqual([1, 2, 3, 4, 5, 6, 7, 10, 11, 12]);
    // The batch, then each statement by itself.
    expect(submitted).toEqual(['PipelinedBatch', WRITE, WRITE, WRITE, WRITE]);
  });

  it('answers a statement alone in its turn with the server\'s refusal, without running it again', async () => {
    const outcome = await Promise.allSettled([write(1)]); // id 1 is taken since the first test
    expect(outcome[0]).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(submitted).toEqual(['PipelinedBatch']);
  });

  it('runs a statement alone in its turn again, unprepared, when its plan went stale', async () => {
    await admin.query('create table pipe_stale (id int primary key)');
    await admin.query('insert into pipe_stale values (1)');
    const selectAll = 'select * from pipe_stale where id = $1';
    const before = pool.totalCount;
    // The pool hands the same connection out again first: prepared and described there, then stale.
    expect((await unit((c) => c.query(selectAll, [1]))).rows).toEqual([{ id: 1 }]);
    await admin.query("alter table pipe_stale add column label text not null default 'new'");
    expect((await unit((c) => c.query(selectAll, [1]))).rows).toEqual([{ id: 1, label: 'new' }]);
    // The batch of one, then its own path: the prepared statement (refused again), then unprepared.
    expect(submitted).toEqual(['PipelinedBatch', 'PipelinedBatch', selectAll, selectAll]);
    expect(pool.totalCount).toBe(before - 1); // the stale connection is dropped
  });

  it('fails only a statement with a value pg cannot send, and sends the others together', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const outcomes = await Promise.allSettled([write(20), write(21, circular), write(22)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect(await stored()).toEqual(expect.arrayContaining([20, 22]));
    expect(await stored()).not.toContain(21);
    expect(submitted).toEqual(['PipelinedBatch']);
  });

  it('knows afterwards which statements a batch prepared, before and after the statement the server refused', async () => {
    // A statement prepared twice on one connection fails ('already exists'); one counted as prepared
    // that is not fails too ('does not exist'). Three rounds reach most connections of the pool.
    await admin.query("insert into pipe_rows values (99, 'taken')");
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 6 }, (_, i) => 100 + round * 20 + i);
      // Prepared in the batch before the refused statement: those parses stand.
      const before = await Promise.allSettled([...ids.map((id) => write(id)), write(99)]);
      expect(before.map((o) => o.status)).toEqual([...ids.map(() => 'fulfilled'), 'rejected']);
      expect((before[6] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
      // After it: skipped by the server, not prepared.
      const after = await Promise.allSettled([write(99), ...ids.map((id) => write(id + 10, 'again', WRITE_AGAIN))]);
      expect(after.map((o) => o.status)).toEqual(['rejected', ...ids.map(() => 'fulfilled')]);
      expect((after[0] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    }
    expect(submitted.filter((s) => s === 'PipelinedBatch')).toHaveLength(6);
  });

  it('drops the connection that carried a batch whose statement no longer fits its table (another instance\'s migration)', async () => {
    const selectAll = 'select * from pipe_rows where id = $1';
    // Prepared on one connection by a batch of one; the pool hands that connection out again first.
    await unit((c) => c.query(selectAll, [1]));
    await admin.query('alter table pipe_rows add column added_later text');
    const before = pool.totalCount;
    // That connection carries the batch; its own statement is fine, the other's plan is stale there.
    const [own, other] = await Promise.all([read(1), unit((c) => c.query<{ id: number }>(selectAll, [1]))]);
    expect(own.n).toBe(1);
    expect(other.rows.map((r) => r.id)).toEqual([1]);
    expect(submitted.slice(0, 2)).toEqual(['PipelinedBatch', 'PipelinedBatch']);
    expect(pool.totalCount).toBe(before - 1);
  });

  it('fails every statement of a batch whose connection is lost, and runs none of them again', async () => {
    const sleeping = 'select pg_sleep($1::float8) as slept, $2::int as n';
    const batch = Promise.allSettled([1, 2, 3].map((n) => unit((c) => c.query(sleeping, [n === 2 ? 30 : 0, n]))));
    let pid: number | undefined;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pid = (await admin.query("select pid from pg_stat_activity where query like 'select pg_sleep%' and state = 'active'")).rows[0]?.pid;
    }
    expect(pid).toBeDefined();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const outcomes = await batch;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(submitted).toEqual(['PipelinedBatch']);
  });
});
