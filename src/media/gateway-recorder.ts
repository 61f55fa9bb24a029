import { open, rm, type FileHandle } from 'node:fs/promises';
import type { AudioListener } from './audio-hub';
import { BASE_RATE, concat, interleave, toLeBytes, type Track } from './domain/pcm';
import type { PauseBehavior } from './domain/recording-state';
import { WAV_HEADER_BYTES, wavHeader } from './domain/wav';

/**
 * Writes a call's live audio into a dual-channel WAV (customer left, agent right, 8 kHz) where the
 * provider does not record itself. Frames of the two tracks are queued and written interleaved
 * as soon as both have samples, so memory stays at a few frames whatever the call's length.
 * While paused, `silence` writes zeros in place of the audio and `skip` writes nothing.
 */
export class GatewayRecorder implements AudioListener {
  private readonly queued: Record<Track, Int16Array[]> = { customer: [], agent: [] };
  private written = 0;
  private writing: Promise<unknown> = Promise.resolve();
  private done = false;
  /** Set once the call's audio ends by itself (the recorder is then finished by the service). */
  onEnd?: (reason: string) => void;

  private constructor(private readonly file: FileHandle, readonly path: string, private readonly pauseBehavior: PauseBehavior) {}

  static async create(path: string, pauseBehavior: PauseBehavior): Promise<GatewayRecorder> {
    const file = await open(path, 'w');
    await file.write(Buffer.alloc(WAV_HEADER_BYTES), 0, WAV_HEADER_BYTES, 0);
    return new GatewayRecorder(file, path, pauseBehavior);
  }

  frame(track: Track, samples: Int16Array, paused: boolean): void {
    if (this.done) return;
    if (paused && this.pauseBehavior === 'skip') return;
    this.queued[track].push(paused ? new Int16Array(samples.length) : samples);
    this.drain(false);
  }

  dtmf(): void {}
  paused(): void {}

  end(reason: string): void {
    this.onEnd?.(reason);
  }

  /** Writes what is queued and the header; the file's duration in ms. */
  async finish(): Promise<number> {
    if (!this.done) {
      this.drain(true);
      this.done = true;
    }
    await this.writing;
    await this.file.write(wavHeader(this.written, { channels: 2, sampleRate: BASE_RATE }), 0, WAV_HEADER_BYTES, 0);
    await this.file.close();
    return Math.round((this.written / 4 / BASE_RATE) * 1000);
  }

  async discard(): Promise<void> {
    this.done = true;
    await this.writing.catch(() => undefined);
    await this.file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  /** Interleaves as many samples as both tracks have (all of them, padded, when `all`). */
  private drain(all: boolean): void {
    const left = concat(this.queued.customer);
    const right = concat(this.queued.agent);
    const n = all ? Math.max(left.length, right.length) : Math.min(left.length, right.length);
    if (n === 0) return;
    this.queued.customer = left.length > n ? [left.subarray(n)] : [];
    this.queued.agent = right.length > n ? [right.subarray(n)] : [];
    const bytes = toLeBytes(interleave(left.subarray(0, Math.min(n, left.length)), right.subarray(0, Math.min(n, right.length))));
    const at = WAV_HEADER_BYTES + this.written;
    this.written += bytes.length;
    this.writing = this.writing.then(() => this.file.write(bytes, 0, bytes.length, at));
  }
}
