import { PostgresAdapter, type Compilable, type CompiledQuery, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema';
import { directConnection } from './sqlite-dialect';
import type { Executor } from './store';
import { markWriteBehind, type WriteBehindRole } from './write-behind';

/** Marks where a named parameter lands in the compiled query; never a value a query compares with. */
const MARK = '\u0000fixed-query-parameter:';

interface Template {
  compiled: CompiledQuery;
  /** For each compiled parameter: the name of the caller's value, or a constant of the query itself. */
  slots: Array<{ name: string } | { constant: unknown }>;
}

/**
 * A query whose SQL text never changes, only its values: built and compiled once per database (the
 * SQL differs between SQLite and PostgreSQL) and run again with new values. Kysely builds an
 * immutable tree, runs the CamelCase plugin over it and compiles it on every execution: measured
 * at about 15% of the gateway's CPU on SQLite for the handful of queries each inbound message runs.
 *
 * `build` receives stand-ins for the values and must pass each one to the query unchanged (no
 * arithmetic, no JSON, no branching on it); a stand-in that does not come out of the compiler as a
 * parameter throws on first use, so a misuse fails loudly instead of storing a stand-in.
 */
export class FixedQuery<P extends object, O> {
  /**
   * Every fixed query built so far (they are module constants, so: those of every module loaded):
   * a test checks the plan PostgreSQL keeps for each when the tables are empty.
   */
  static readonly all = new Set<FixedQuery<object, unknown>>();
  private readonly templates = new WeakMap<DialectAdapter, Template>();

  /**
   * `writeBehind` (PostgreSQL): 'defer' lets this insert wait inside a transaction for the next
   * statement, 'carry' lets this statement take waiting inserts along, 'last' also says nothing but
   * COMMIT follows it in its unit (storage/write-behind.ts, storage/pg-client.ts).
   */
  constructor(
    private readonly build: (db: Kysely<Database>, values: P) => Compilable<O>,
    private readonly writeBehind?: WriteBehindRole,
  ) {
    FixedQuery.all.add(this as unknown as FixedQuery<object, unknown>);
  }

  /** The SQL text this query runs on `db`'s dialect. */
  sqlFor(db: Executor): string {
    return this.template(db).compiled.sql;
  }

  /** Runs the query with these values; rows come back through the database's plugins as usual. */
  execute(db: Executor, values: P): Promise<QueryResult<O>> {
    const executor = db.getExecutor();
    const { compiled, slots } = this.template(db);
    const parameters = slots.map((slot) => ('name' in slot ? (values[slot.name as keyof P] ?? null) : slot.constant));
    // SQLite, inside a transaction: the connection is held already; run on it straight away.
    const direct = db.isTransaction ? directConnection(executor.adapter) : undefined;
    if (direct) return Promise.resolve(direct.run<O>(compiled.sql, parameters));
    return executor.executeQuery<O>({ ...compiled, parameters });
  }

  /** The rows of a select (or of `returning`). */
  async rows(db: Executor, values: P): Promise<O[]> {
    return (await this.execute(db, values)).rows;
  }

  async first(db: Executor, values: P): Promise<O | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  /** How many rows an update or delete changed. */
  async affected(db: Executor, values: P): Promise<number> {
    return Number((await this.execute(db, values)).numAffectedRows ?? 0);
  }

  private template(db: Executor): Template {
    const { adapter } = db.getExecutor();
    let template = this.templates.get(adapter);
    if (!template) this.templates.set(adapter, (template = this.compile(db)));
    return template;
  }

  private compile(db: Executor): Template {
    const executor = db.getExecutor();
    const used = new Set<string>();
    const standIns = new Proxy({} as P, {
      get(_, key) {
        if (typeof key !== 'string') return undefined;
        used.add(key);
        return MARK + key;
      },
    });
    const compiled = this.build(db, standIns).compile();
    const slots = compiled.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(MARK) ? { name: p.slice(MARK.length) } : { constant: p });
    const placed = new Set(slots.flatMap((s) => ('name' in s ? [s.name] : [])));
    const lost = [...used].filter((name) => !placed.has(name));
    if (lost.length > 0 || compiled.sql.includes(MARK)) {
      throw new Error(`a fixed query must pass its values through unchanged; not passed as parameters: ${lost.join(', ') || 'a value inlined in the SQL'}`);
    }
    if (this.writeBehind && executor.adapter instanceof PostgresAdapter) markWriteBehind(compiled.sql, this.writeBehind);
    return { compiled, slots };
  }
}

/**
 * Every column of a row, for an insert built from stand-ins (they cannot be spread): `columns` must
 * name each column of the table, so a column added later does not compile until it is listed.
 */
export function allColumns<Row>(values: Row, columns: Record<keyof Row, true>): Row {
  const row = {} as Row;
  for (const column of Object.keys(columns) as Array<keyof Row>) row[column] = values[column];
  return row;
}
