import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new opaque, sortable id (ULID): later ids sort after earlier ones, even within a millisecond. */
export function newId(): string {
  return nextUlid();
}

export function nowIso(): string {
  return new Date().toISOString();
}
