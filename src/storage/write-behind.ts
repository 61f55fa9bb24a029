/**
 * Write-behind for PostgreSQL transactions: an insert whose answer nobody reads waits, and rides to
 * the server with the transaction's next statement as a writing CTE, so an inbound message's
 * interaction, message and events take one round trip instead of three. Measured under load: each
 * round trip costs the gateway about 60-80 µs of CPU (most of it the socket write) and the server
 * a statement of its own.
 *
 * Only statements marked by their FixedQuery take part (storage/fixed-query.ts):
 * - `defer`: a single-row INSERT without RETURNING (it changes exactly one row or fails, so its
 *   answer is known in advance); its error, if any, comes with the statement that carries it, in
 *   the same transaction, which then fails as a whole as before.
 * - `carry`: a statement that may take the waiting inserts as CTEs because it does not read what
 *   they write (all parts of one statement see one snapshot, so it could not see them).
 * Any other statement sends the waiting inserts first (as one statement), then itself: what it
 * reads is as it was before. COMMIT sends them first; ROLLBACK drops them.
 */
const deferrable = new Set<string>();
const carriers = new Set<string>();
const lasts = new Set<string>();

/**
 * `last`: a carrier after which its unit runs nothing but COMMIT (the outbox's final event append);
 * a unit that wrote nothing else then ends in that one statement (storage/pg-client.ts).
 */
export type WriteBehindRole = 'defer' | 'carry' | 'last';

/** Marks a compiled statement's text for write-behind; called once per text by FixedQuery. */
export function markWriteBehind(text: string, role: WriteBehindRole): void {
  if (role === 'defer') {
    if (!/^\s*(with\b[\s\S]*\binsert|insert)\s+into\b/i.test(text) || /\breturning\b|\bon\s+conflict\b/i.test(text)) {
      throw new Error(`only an insert without RETURNING or ON CONFLICT may wait for the next statement: ${text}`);
    }
    deferrable.add(text);
  } else if (role === 'last') {
    lasts.add(text);
  } else {
    carriers.add(text);
  }
}

export const isDeferrable = (text: string): boolean => deferrable.has(text);
export const isCarrier = (text: string): boolean => carriers.has(text);
export const isLast = (text: string): boolean => lasts.has(text);

export interface Statement {
  text: string;
  values: unknown[];
}

interface Parts {
  /** `name as (...)` clauses, in order. */
  ctes: Array<{ name: string; text: string }>;
  main: string;
}

/**
 * One statement doing what `statements` do in order: every statement but the last becomes a CTE
 * (`_wb<i>`), the last stays the main statement and gives the answer. Each statement's own CTEs
 * are lifted to the top (PostgreSQL allows writing CTEs only there) and its `$n` placeholders
 * renumbered. Undefined when two of them name a CTE alike: they are then sent one by one.
 */
export function composeStatements(statements: Statement[]): Statement | undefined {
  if (statements.length === 1) return statements[0];
  // A unit runs the same few sequences of statements: each composition is worked out once, and
  // found again by its texts one by one (the same strings each time: FixedQuery compiles each
  // once) rather than by a key joined from them, which cost ~2% of the gateway's CPU on PostgreSQL.
  const node = compositionOf(statements);
  if (node.text === undefined) {
    node.text = compose(statements.map((s) => s.text), statements.map((s) => s.values.length));
    if (++composedCount > MAX_COMPOSED) forgetCompositions();
  }
  if (node.text === null) return undefined;
  // A loop, not flatMap: V8's flatMap is generic and showed as this function's own time in profiles.
  const values: unknown[] = [];
  for (const s of statements) for (const value of s.values) values.push(value);
  return { text: node.text, values };
}

/** A sequence's composed text (null: they do not compose), under its statements' texts and value counts in turn. */
interface Composition {
  text?: string | null;
  next?: Map<string, Map<number, Composition>>;
}

const MAX_COMPOSED = 500;
let composed: Composition = {};
let composedCount = 0;

function forgetCompositions(): void {
  composed = {};
  composedCount = 0;
}

function compositionOf(statements: Statement[]): Composition {
  let node = composed;
  for (const { text, values } of statements) {
    const byText = (node.next ??= new Map());
    let byCount = byText.get(text);
    if (!byCount) byText.set(text, (byCount = new Map()));
    let child = byCount.get(values.length);
    if (!child) byCount.set(values.length, (child = {}));
    node = child;
  }
  return node;
}

/** The composed text (placeholders of statement i shifted by the values before it), or null. */
function compose(texts: string[], counts: number[]): string | null {
  const ctes: string[] = [];
  const names = new Set<string>();
  let offset = 0;
  let main = '';
  for (const [i, text] of texts.entries()) {
    const parts = splitWith(text);
    if (!parts) return null;
    for (const cte of parts.ctes) {
      if (names.has(cte.name.toLowerCase())) return null;
      names.add(cte.name.toLowerCase());
      ctes.push(renumber(cte.text, offset));
    }
    const body = renumber(parts.main, offset);
    offset += counts[i]!;
    if (i < texts.length - 1) {
      const name = `_wb${i}`;
      if (names.has(name)) return null;
      names.add(name);
      ctes.push(`${name} as (${body})`);
    } else {
      main = body;
    }
  }
  return `with ${ctes.join(', ')} ${main}`;
}

/** A statement's leading WITH list and main statement; undefined if it cannot be read safely. */
export function splitWith(text: string): Parts | undefined {
  const trimmed = text.trim();
  const head = /^with\s+/i.exec(trimmed);
  if (!head) return { ctes: [], main: trimmed };
  if (/^with\s+recursive\b/i.test(trimmed)) return undefined;
  const ctes: Parts['ctes'] = [];
  let at = head[0].length;
  for (;;) {
    const clause = /^("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\s+as\s+(?:(?:not\s+)?materialized\s+)?\(/i.exec(trimmed.slice(at));
    if (!clause) return undefined;
    const close = matchingParen(trimmed, at + clause[0].length - 1);
    if (close < 0) return undefined;
    ctes.push({ name: clause[1]!.replace(/^"|"$/g, ''), text: trimmed.slice(at, close + 1) });
    const rest = /^\s*(,)?\s*/.exec(trimmed.slice(close + 1))!;
    at = close + 1 + rest[0].length;
    if (!rest[1]) break;
  }
  return { ctes, main: trimmed.slice(at) };
}

/** The index of the parenthesis closing the one at `open`, skipping quoted text; -1 if none. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = text.indexOf(c, i + 1);
      if (i < 0) return -1;
      continue; // a doubled quote closes and reopens: the scan carries on the same way
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Shifts every `$n` placeholder outside quoted text by `offset`. */
function renumber(text: string, offset: number): string {
  if (offset === 0) return text;
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (match, n: string | undefined) => (n === undefined ? match : `$${Number(n) + offset}`));
}
