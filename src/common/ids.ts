import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * ulid's default randomness asks the operating system for one byte per character; this reads the
 * same kind of bytes (a fraction byte/256, as ulid's own source does) from a pool refilled 4 KiB at
 * a time.
 */
export function pooledRandom(size = 4096): () => number {
  const pool = new Uint8Array(size);
  let next = size;
  return () => {
    if (next === size) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

const nextUlid = monotonicFactory(pooledRandom());

/** A new opaque, sortable id (ULID): later ids sort after earlier ones, even within a millisecond. */
export function newId(): string {
  return nextUlid();
}

export function nowIso(): string {
  return new Date().toISOString();
}
