import type { Readable } from 'node:stream';

/**
 * Where recording files live. Small on purpose: the local-disk adapter (RECORDINGS_DIR, a shared
 * volume for several instances) is the default; an object store would be another adapter.
 */
export abstract class RecordingStorage {
  /** A fresh path on local disk to write a file into before `put` (same file system as the store when it is local). */
  abstract scratchPath(): Promise<string>;
  /** Moves the finished file at `localPath` into the store under `key`; its size. */
  abstract put(key: string, localPath: string): Promise<number>;
  /** Its size, or undefined when there is no such file. */
  abstract size(key: string): Promise<number | undefined>;
  /** Its bytes from `start` to `end` inclusive (the whole file without a range). */
  abstract read(key: string, range?: { start: number; end: number }): Readable;
  /** Removes it; no error when it is already gone. */
  abstract delete(key: string): Promise<void>;
}
