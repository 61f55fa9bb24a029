import type WebSocket from 'ws';
import type { AudioListener } from './audio-hub';
import { encodeAudioFrame } from './domain/audio-frame';
import { BASE_RATE, concat, interleave, toLeBytes, TRACKS, type Track, upsample2x } from './domain/pcm';

export type AudioLayout = 'tracks' | 'stereo';
export interface AudioStreamOptions {
  sampleRate: 8000 | 16000;
  layout: AudioLayout;
  /** The tracks sent (both by default); a stereo layout always carries both. */
  tracks?: readonly Track[];
}

/** Closed with these like the events socket: the client reads too slowly, its token expired. */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_TOKEN_EXPIRED = 4001;

/**
 * One client of `GET /v1/calls/:id/audio`: the common format (README "Live audio") whatever the
 * provider. JSON `start`, then binary frames (audio-frame.ts) per track or stereo, JSON `dtmf`,
 * `paused`/`resumed` (a recording's PCI pause withholds the audio, the timestamps keep running so
 * the gap shows) and `stop`. `dispose` runs on every ending and is safe to run twice.
 */
export class AudioSession implements AudioListener {
  /** Samples (at 8 kHz) seen per track since the start frame: the frames' clock. */
  private readonly clock: Record<Track, number> = { customer: 0, agent: 0 };
  private readonly stereoQueue: Record<Track, Int16Array[]> = { customer: [], agent: [] };
  private stereoAt = 0;
  private disposed = false;
  private expiry?: NodeJS.Timeout;
  unlisten?: () => void;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: AudioStreamOptions,
    start: { callId: string; conversationId: string; provider: string; paused: boolean; streamId?: string },
    private readonly maxBufferedBytes: number,
    expiresAt?: number,
  ) {
    this.send({
      event: 'start', ...(start.streamId ? { streamId: start.streamId } : {}), callId: start.callId, conversationId: start.conversationId, provider: start.provider,
      tracks: this.tracks, layout: options.layout, encoding: 'pcm_s16le', sampleRate: options.sampleRate,
      channels: options.layout === 'stereo' ? 2 : 1, frameMs: 20, paused: start.paused,
    });
    if (expiresAt) {
      this.expiry = setTimeout(() => this.close(CLOSE_TOKEN_EXPIRED, 'the token expired'), Math.max(0, expiresAt - Date.now()));
      this.expiry.unref();
    }
  }

  frame(track: Track, samples: Int16Array, paused: boolean): void {
    if (this.disposed) return;
    const at = this.clock[track];
    this.clock[track] += samples.length;
    if (!this.tracks.includes(track)) return;
    if (paused) {
      // Nothing of a paused span leaves the gateway; a stereo frame half-built is dropped with it.
      this.stereoQueue[track] = [];
      this.stereoAt = Math.max(this.clock.customer, this.clock.agent);
      return;
    }
    if (this.options.layout === 'tracks') {
      this.sendAudio(track, at, samples);
      return;
    }
    this.stereoQueue[track].push(samples);
    const left = concat(this.stereoQueue.customer);
    const right = concat(this.stereoQueue.agent);
    const n = Math.min(left.length, right.length);
    if (n === 0) return;
    this.stereoQueue.customer = left.length > n ? [left.subarray(n)] : [];
    this.stereoQueue.agent = right.length > n ? [right.subarray(n)] : [];
    const stereo = interleave(this.rate(left.subarray(0, n)), this.rate(right.subarray(0, n)));
    this.binary(encodeAudioFrame('stereo', (this.stereoAt * 1000) / BASE_RATE, toLeBytes(stereo)));
    this.stereoAt += n;
  }

  dtmf(digit: string, track: Track): void {
    if (!this.tracks.includes(track)) return;
    this.send({ event: 'dtmf', track, digit, timestamp: this.now() });
  }

  paused(paused: boolean): void {
    this.send({ event: paused ? 'paused' : 'resumed', timestamp: this.now() });
  }

  end(reason: string): void {
    this.unlisten = undefined;
    this.close(1000, reason);
  }

  /** Closes with a `stop` frame first (when the socket is still open). */
  close(code: number, reason: string): void {
    if (this.disposed) return;
    this.send({ event: 'stop', reason, timestamp: this.now() });
    this.dispose();
    this.socket.close(code, reason.slice(0, 120));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.expiry);
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    unlisten?.();
  }

  private get tracks(): readonly Track[] {
    return this.options.tracks ?? TRACKS;
  }

  private sendAudio(track: Track, at: number, samples: Int16Array): void {
    this.binary(encodeAudioFrame(track, (at * 1000) / BASE_RATE, toLeBytes(this.rate(samples))));
  }

  private rate(samples: Int16Array): Int16Array {
    return this.options.sampleRate === 16000 ? upsample2x(samples) : samples;
  }

  private now(): number {
    return Math.floor((Math.max(this.clock.customer, this.clock.agent) * 1000) / BASE_RATE);
  }

  private binary(frame: Buffer): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A client that cannot keep up is closed rather than buffered for without bound.
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE_SLOW_CONSUMER, 'the client reads the audio too slowly');
      return;
    }
    this.socket.send(frame, { binary: true });
  }

  private send(frame: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }
}
