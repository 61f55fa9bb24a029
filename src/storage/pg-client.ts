import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { remember } from '../common/bounded-map';
import { isStalePlan } from './store';
import { StatementPipeline } from './pg-pipeline';
import { composeStatements, isCarrier, isDeferrable, isLast, type Statement } from './write-behind';

/** Statements worth preparing: data statements, not transaction control or DDL. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const BEGIN = /^\s*begin\s*$/i;
const TRANSACTION_START = /^\s*(begin|start transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback)\s*$/i;
/** A read that takes no lock and calls nothing: the same whether inside a transaction that wrote nothing yet or not. */
const PLAIN_READ = /^\s*select\b/i;
const LOCKING = /\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b|\bpg_advisory|\bnextval\s*\(|\bset_config\s*\(/i;
const plainReads = new Map<string, boolean>();
/** Remembered per text (the gateway's are a fixed few, of 1-3 KB each; scanned twice per read before). */
const isPlainRead = (text: string): boolean => {
  let plain = plainReads.get(text);
  if (plain === undefined) remember(plainReads, text, (plain = PLAIN_READ.test(text) && !LOCKING.test(text)), 1000);
  return plain;
};

/**
 * Kysely's pg pool with the gateway's two savings in round trips.
 *
 * Prepared statements: Kysely sends every query unnamed, so PostgreSQL parses and plans it on each
 * execution (measured under load: longer than executing it). The gateway runs a small, fixed set of
 * queries: each distinct text of a data statement gets a name (at most `max` texts; the rest stay
 * unnamed) and pg prepares it once per connection. A prepared `select *` fails once another
 * instance's migration changed its table: that connection is dropped on release, and the statement
 * is run again unprepared (outside a transaction) or `inTransaction` runs the unit again on another.
 *
 * Transactions that need none: a plain BEGIN is not sent at once. Until the unit writes, its plain
 * reads go out on their own — at READ COMMITTED each statement of a transaction takes a fresh
 * snapshot anyway, and there is nothing of its own yet for them to see. Inserts marked for
 * write-behind wait (write-behind.ts). When the statement marked `last` comes (the outbox's event
 * append, after which nothing but COMMIT follows) it goes out with the waiting inserts as one
 * statement, which PostgreSQL runs atomically in a transaction of its own: an inbound message is
 * then two round trips (its reads, its writes) instead of four, and COMMIT is answered here. Any
 * other statement — a write that is not deferred, a locking read, a read after a deferred insert —
 * sends BEGIN first and the unit runs as an ordinary transaction from there.
 */
export function withPreparedStatements(pool: Pool, max = 500, pipeline = new StatementPipeline()): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < max && PREPARABLE.test(text)) {
      name = `gw${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const wrapped = new WeakMap<PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let own = wrapped.get(client);
      if (!own) wrapped.set(client, (own = wrapClient(client, nameOf, pipeline)));
      return own;
    },
    end: () => pool.end(),
  };
}

/**
 * Where a unit stands on this connection: none; begun here but not on the server (`lazy`); begun
 * on the server (`open`); or over already, its last statement having run on its own (`settled`).
 */
type UnitState = 'none' | 'lazy' | 'open' | 'settled';

const answered = (command: string) => Promise.resolve({ command, rowCount: 0, rows: [] });

/** One pooled client with prepared statements, write-behind and lazy transactions (exported for tests). */
export function wrapClient(
  client: Pick<PoolClient, 'query' | 'release'>,
  nameOf: (text: string) => string | undefined,
  pipeline?: StatementPipeline,
): PostgresPoolClient {
  let stale = false;
  let state: UnitState = 'none';
  // Inserts of this transaction waiting for the next statement (storage/write-behind.ts).
  let waiting: Statement[] = [];
  const send = (text: string, values: readonly unknown[]): Promise<unknown> => {
    const name = nameOf(text);
    const result = client.query({ name, text, values: [...values] });
    if (!name) return result;
    return result.catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      stale = true;
      // Outside a transaction on the server nothing was aborted: run it again unprepared.
      if (state !== 'open') return client.query({ text, values: [...values] });
      throw error;
    });
  };
  /**
   * A statement that is a transaction of its own (no transaction is open here): it may share a
   * round trip and a commit with other units' (pg-pipeline.ts).
   */
  const sendAlone = (text: string, values: readonly unknown[]): Promise<unknown> => {
    if (!pipeline) return send(text, values);
    return pipeline.submit({
      client, name: nameOf(text), text, values: [...values], reads: isPlainRead(text),
      alone: () => send(text, values), dropConnection: () => void (stale = true),
    });
  };
  /** Sends the waiting inserts, as one statement where they compose. */
  const flush = async (statements: Statement[]): Promise<void> => {
    const composed = composeStatements(statements);
    if (composed) return void (await send(composed.text, composed.values));
    for (const s of statements) await send(s.text, s.values);
  };
  const begin = async (): Promise<void> => {
    state = 'open';
    await send('begin', []);
  };
  /** In an open transaction: the statement, after or with the waiting inserts. */
  const inOpen = (text: string, values: readonly unknown[]): Promise<unknown> => {
    if (isDeferrable(text)) {
      // It changes exactly one row or fails with the statement that carries it.
      waiting.push({ text, values: [...values] });
      return answered('INSERT');
    }
    if (waiting.length === 0) return send(text, values);
    const before = waiting;
    waiting = [];
    const carried = isCarrier(text) || isLast(text) ? composeStatements([...before, { text, values: [...values] }]) : undefined;
    if (carried) return send(carried.text, carried.values);
    return flush(before).then(() => send(text, values));
  };
  const end = (text: string, values: readonly unknown[]): Promise<unknown> => {
    const commit = /^\s*commit/i.test(text);
    const before = commit ? waiting : [];
    const was = state;
    state = 'none';
    waiting = [];
    // Over already (its last statement ran on its own), or ended here when COMMIT failed: nothing is open.
    if (was === 'settled' || (was === 'none' && !commit)) return answered(commit ? 'COMMIT' : 'ROLLBACK');
    if (was === 'lazy') {
      if (before.length === 0) return answered(commit ? 'COMMIT' : 'ROLLBACK');
      // Writes waiting and no last statement: as one statement if they compose, else in a transaction.
      const composed = composeStatements(before);
      if (composed) return sendAlone(composed.text, composed.values).then(() => answered('COMMIT'));
      return send('begin', []).then(() => flush(before)).then(() => send(text, values), (error: unknown) =>
        client.query({ text: 'rollback', values: [] }).then(() => { throw error; }, () => { throw error; }));
    }
    // A failing insert fails the COMMIT, which is then not sent: the driver rolls back.
    if (before.length > 0) return flush(before).then(() => send(text, values));
    return send(text, values);
  };
  function query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query(text: string | PostgresCursor<unknown>, values: readonly unknown[] = []): Promise<unknown> | PostgresCursor<unknown> {
    if (typeof text !== 'string') throw new Error('cursors are not configured');
    if (BEGIN.test(text)) {
      state = 'lazy';
      waiting = [];
      return answered('BEGIN');
    }
    if (TRANSACTION_START.test(text)) {
      state = 'open';
      waiting = [];
      return send(text, values);
    }
    if (TRANSACTION_END.test(text)) return end(text, values);
    if (state === 'settled') {
      return Promise.reject(new Error(`nothing may follow a unit's last statement but COMMIT: ${text.slice(0, 60)}`));
    }
    if (state === 'lazy') {
      if (isDeferrable(text)) return inOpen(text, values); // it waits, whether or not BEGIN was sent
      if (isLast(text)) {
        // The unit's writes in one statement, atomic on its own: the transaction is over with it.
        state = 'settled';
        const before = waiting;
        waiting = [];
        const composed = composeStatements([...before, { text, values: [...values] }]);
        if (composed) return sendAlone(composed.text, composed.values);
        waiting = before;
        return begin().then(() => inOpen(text, values));
      }
      if (waiting.length === 0 && isPlainRead(text)) return sendAlone(text, values);
      return begin().then(() => inOpen(text, values));
    }
    if (state === 'open') return inOpen(text, values);
    return isPlainRead(text) ? sendAlone(text, values) : send(text, values);
  }
  return {
    query,
    release: (destroy) => {
      // A transaction always ends with COMMIT or ROLLBACK first; never carry an insert over to another unit.
      waiting = [];
      state = 'none';
      client.release(destroy || stale);
    },
  };
}
