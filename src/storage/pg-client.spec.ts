import type { PoolClient } from 'pg';
import { wrapClient } from './pg-client';
import type { AloneStatement, StatementPipeline } from './pg-pipeline';
import { markWriteBehind } from './write-behind';

// Statement texts of the shapes the gateway marks (storage/fixed-query.ts does it once per text).
const READ = 'select * from "contacts" where "tenant_id" = $1';
const LOCKING_READ = 'select * from "contacts" where "tenant_id" = $1 for update';
const INSERT_A = 'insert into "pgc_a" ("x") values ($1)';
const INSERT_B = 'insert into "pgc_b" ("y") values ($1)';
const WRITE = 'update "contacts" set "name" = $1 where "id" = $2';
const LAST = 'with block as (select $1::int as lo) insert into "pgc_e" ("seq") select lo from block returning seq /* last */';
markWriteBehind(INSERT_A, 'defer');
markWriteBehind(INSERT_B, 'defer');
markWriteBehind(LAST, 'last');

/** A pg client that records what reaches the server and answers each statement (or fails those `failing` names). */
function server(failing: (text: string) => Error | undefined = () => undefined, pipeline?: StatementPipeline) {
  const sent: string[] = [];
  const client = {
    query: jest.fn(async ({ text }: { text: string }) => {
      sent.push(text.startsWith('with _wb') ? 'one statement of several' : text);
      const error = failing(text);
      if (error) throw error;
      return { command: 'X', rowCount: 1, rows: text.includes('returning') ? [{ seq: 7 }] : [] };
    }),
    release: jest.fn(),
  };
  const wrapped = wrapClient(client as unknown as PoolClient, () => undefined, pipeline);
  return { sent, client, run: (text: string, values: unknown[] = []) => wrapped.query(text, values), release: wrapped.release };
}

describe('wrapClient: transactions that need none', () => {
  it('sends an inbound message as its read and one statement with its writes: no BEGIN, no COMMIT', async () => {
    const s = server();
    await s.run('begin');
    await s.run(READ, ['acme']);
    await s.run(INSERT_A, [1]);
    await s.run(INSERT_B, [2]);
    expect((await s.run(LAST, [3])).rows).toEqual([{ seq: 7 }]);
    await s.run('commit');
    expect(s.sent).toEqual([READ, 'one statement of several']);
    const composed = s.client.query.mock.calls[1]![0] as unknown as { text: string; values: unknown[] };
    expect(composed.values).toEqual([1, 2, 3]);
    expect(composed.text).toContain('_wb1 as (insert into "pgc_b"');
  });

  it('sends nothing but the reads of a unit that only reads', async () => {
    const s = server();
    await s.run('begin');
    await s.run(READ, ['acme']);
    await s.run('commit');
    expect(s.sent).toEqual([READ]);
  });

  it('sends waiting inserts at COMMIT as one statement when no last statement came', async () => {
    const s = server();
    await s.run('begin');
    await s.run(INSERT_A, [1]);
    await s.run(INSERT_B, [2]);
    await s.run('commit');
    expect(s.sent).toEqual(['one statement of several']);
  });

  it.each([
    ['a write that is not deferred', WRITE],
    ['a locking read', LOCKING_READ],
  ])('begins on the server before %s, and commits there', async (_, text) => {
    const s = server();
    await s.run('begin');
    await s.run(READ, ['acme']);
    await s.run(text, ['x', 'y']);
    await s.run(LAST, [3]);
    await s.run('commit');
    expect(s.sent).toEqual([READ, 'begin', text, LAST, 'commit']);
  });

  it('begins on the server before a read that follows a deferred insert, and sends the insert first', async () => {
    const s = server();
    await s.run('begin');
    await s.run(INSERT_A, [1]);
    await s.run(READ, ['acme']);
    await s.run('commit');
    expect(s.sent).toEqual(['begin', INSERT_A, READ, 'commit']);
  });

  it('leaves nothing stored when the last statement fails: ROLLBACK is answered here, the error reaches the unit', async () => {
    const s = server((text) => (text.startsWith('with _wb') ? Object.assign(new Error('duplicate key'), { code: '23505' }) : undefined));
    await s.run('begin');
    await s.run(INSERT_A, [1]);
    await expect(s.run(LAST, [3])).rejects.toMatchObject({ code: '23505' });
    await s.run('rollback');
    expect(s.sent).toEqual(['one statement of several']);
  });

  it('refuses a statement after the last one (the outbox never sends one)', async () => {
    const s = server();
    await s.run('begin');
    await s.run(LAST, [3]);
    await expect(s.run(WRITE, ['x', 'y'])).rejects.toThrow("nothing may follow a unit's last statement but COMMIT");
    await s.run('commit');
    expect(s.sent).toEqual([LAST]);
  });

  it('sends a transaction with settings at once, as it is', async () => {
    const s = server();
    await s.run('start transaction isolation level serializable');
    await s.run(READ, ['acme']);
    await s.run('commit');
    expect(s.sent).toEqual(['start transaction isolation level serializable', READ, 'commit']);
  });

  it('starts the next unit afresh after a release', async () => {
    const s = server();
    await s.run('begin');
    await s.run(INSERT_A, [1]);
    s.release();
    await s.run(READ, ['acme']);
    expect(s.sent).toEqual([READ]);
  });
});

describe('wrapClient: what may share a round trip and a commit with other units', () => {
  /** A pipeline that records what it is handed and runs each statement by itself. */
  function recording() {
    const handed: string[] = [];
    const pipeline = {
      submit: (s: AloneStatement) => {
        handed.push(s.text.startsWith('with _wb') ? 'one statement of several' : s.text);
        return s.alone();
      },
    } as unknown as StatementPipeline;
    return { handed, pipeline };
  }

  it('hands over the reads before a unit writes and its writes as one statement: all it sends', async () => {
    const { handed, pipeline } = recording();
    const s = server(undefined, pipeline);
    await s.run('begin');
    await s.run(READ, ['acme']);
    await s.run(INSERT_A, [1]);
    await s.run(LAST, [3]);
    await s.run('commit');
    expect(handed).toEqual([READ, 'one statement of several']);
    expect(s.sent).toEqual(handed);
  });

  it('hands over the waiting inserts sent at COMMIT as one statement, and a plain read outside any unit', async () => {
    const { handed, pipeline } = recording();
    const s = server(undefined, pipeline);
    await s.run('begin');
    await s.run(INSERT_A, [1]);
    await s.run(INSERT_B, [2]);
    await s.run('commit');
    await s.run(READ, ['acme']);
    expect(handed).toEqual(['one statement of several', READ]);
  });

  it('keeps on its own connection whatever needs a session or a transaction of its own', async () => {
    const { handed, pipeline } = recording();
    const s = server(undefined, pipeline);
    await s.run(LOCKING_READ, ['acme']);
    await s.run(WRITE, ['x', 'c1']);
    await s.run('begin');
    await s.run(LOCKING_READ, ['acme']);
    await s.run(READ, ['acme']);
    await s.run(LAST, [3]);
    await s.run('commit');
    expect(handed).toEqual([]);
    expect(s.sent).toEqual([LOCKING_READ, WRITE, 'begin', LOCKING_READ, READ, LAST, 'commit']);
  });
});
