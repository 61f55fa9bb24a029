import type { NgClient } from './ng-client';
import { HOLD_REPEATS, playMedia, stopMedia } from './domain/player-commands';
import { durationMs } from './domain/sounds';
import type { Leg } from './rtpengine.anchor';

/**
 * Sounds played by rtpengine to one leg of a call. rtpengine plays one sound at a time (a new
 * `play media` replaces the one playing) and says how long it lasts, so a sequence is timed here.
 * `stop()` ends what plays and what is scheduled; it is safe to run twice, and a sound already
 * over makes rtpengine answer "Not currently playing media", which is no failure.
 */
export class RtpenginePlayer {
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private generation = 0;

  constructor(private readonly ng: NgClient, private readonly callId: string, private readonly to: Leg) {}

  /** The announcement once, then hold music until stopped. Resolves once the announcement plays. */
  async announceThenHold(announcement: Buffer, holdMusic: Buffer): Promise<void> {
    const generation = ++this.generation;
    const ms = await this.start(announcement, 1);
    this.timer = setTimeout(() => {
      if (generation !== this.generation) return;
      this.start(holdMusic, HOLD_REPEATS).catch(() => undefined); // the call went meanwhile
    }, ms);
    this.timer.unref();
  }

  /** Plays `sound` once and resolves when it has been heard (or when stopped). */
  async playThrough(sound: Buffer): Promise<void> {
    const generation = ++this.generation;
    clearTimeout(this.timer);
    const ms = await this.start(sound, 1);
    if (generation !== this.generation) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
    this.wake = undefined;
  }

  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.timer);
    this.wake?.();
    await this.ng.command(stopMedia(this.callId, this.to)).catch(() => undefined);
  }

  /** Starts `sound`; how long one play of it lasts (rtpengine's `duration`, else read from the WAV). */
  private async start(sound: Buffer, repeat: number): Promise<number> {
    const reply = await this.ng.command({ ...playMedia(this.callId, this.to, sound, repeat) });
    const duration = typeof reply.duration === 'number' ? reply.duration : durationMs(sound);
    return duration ?? 1000;
  }
}
