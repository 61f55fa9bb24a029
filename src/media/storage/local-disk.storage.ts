import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { RecordingStorage } from './recording-storage.port';

const KEY = /^[a-z0-9][a-z0-9_-]{0,62}\/[A-Za-z0-9_-]{1,80}\.wav$/;

/**
 * Recordings as files under one directory: `<dir>/<tenant>/<recording>.wav`, written to
 * `<dir>/.partial/` first and renamed in place (so a reader never sees half a file, and several
 * instances can share the directory as a volume).
 */
export class LocalDiskRecordingStorage extends RecordingStorage {
  private readonly root: string;

  constructor(dir: string) {
    super();
    this.root = resolve(dir);
  }

  async scratchPath(): Promise<string> {
    const partial = join(this.root, '.partial');
    await mkdir(partial, { recursive: true });
    return join(partial, `${randomBytes(12).toString('hex')}.part`);
  }

  async put(key: string, localPath: string): Promise<number> {
    const target = this.pathOf(key);
    await mkdir(join(target, '..'), { recursive: true });
    await rename(localPath, target);
    return (await stat(target)).size;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch {
      return undefined;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Keys are made by the gateway; this only makes sure none can leave the directory. */
  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error('not a recording key');
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('not a recording key');
    return path;
  }
}

export function recordingKey(tenantId: string, recordingId: string): string {
  return `${tenantId}/${recordingId}.wav`;
}
