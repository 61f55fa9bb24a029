import type { CallAudioSink, CallAudioSinks, StopAudio } from '../providers/call-media.port';
import type { Track } from './domain/pcm';

/** One consumer of a call's live audio: a socket, a pushed stream, the gateway's own recorder. */
export interface AudioListener {
  /** Every frame, paused or not: each listener decides what a pause means to it (silence, a gap). */
  frame(track: Track, samples: Int16Array, paused: boolean): void;
  dtmf(digit: string, track: Track): void;
  paused(paused: boolean): void;
  /** The call's audio is over; the listener is already removed. */
  end(reason: string): void;
}

class CallAudio implements CallAudioSink {
  readonly listeners = new Set<AudioListener>();
  paused = false;
  stopFeed?: Promise<StopAudio | undefined>;
  ended = false;

  constructor(private readonly forget: () => void) {}

  frame(track: Track, samples: Int16Array): void {
    for (const l of this.listeners) l.frame(track, samples, this.paused);
  }

  dtmf(digit: string, track: Track): void {
    // Keys pressed while paused are card digits too: they are withheld like the audio.
    if (this.paused) return;
    for (const l of this.listeners) l.dtmf(digit, track);
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    this.forget();
    for (const l of listeners) l.end(reason);
    void this.stopFeed?.then((stop) => stop?.()).catch(() => undefined);
  }
}

/**
 * The live audio of the calls this instance serves: providers push frames into a call's sink, the
 * sockets, pushed streams and the gateway's recorder listen. The provider's feed is started on
 * the first listener and stopped when the call's audio ends (`end`, on every ending: the call
 * ended, the provider closed its stream, the gateway shuts down).
 */
export class AudioHub implements CallAudioSinks {
  private readonly calls = new Map<string, CallAudio>();
  /** Calls whose recording is paused: kept apart from the feeds, so a socket opened during a pause starts paused. */
  private readonly pausedCalls = new Set<string>();

  /**
   * Adds a listener to the call's audio, starting the provider's feed with `start` when it is the
   * first. Returns the function that removes it (safe to run twice).
   */
  listen(callId: string, listener: AudioListener, start: (sink: CallAudioSink) => Promise<StopAudio>): () => void {
    let call = this.calls.get(callId);
    if (!call) {
      const created: CallAudio = new CallAudio(() => { if (this.calls.get(callId) === created) this.calls.delete(callId); });
      call = created;
      this.calls.set(callId, created);
      created.stopFeed = start(created).catch((error: unknown) => {
        created.end(`the provider's audio could not be started: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
    }
    call.paused = this.pausedCalls.has(callId);
    call.listeners.add(listener);
    if (call.paused) listener.paused(true);
    const owner = call;
    // The provider's feed runs while someone listens: the last listener leaving stops it.
    return () => { if (owner.listeners.delete(listener) && owner.listeners.size === 0) owner.end('no listener left'); };
  }

  sinkFor(callId: string): CallAudioSink | undefined {
    return this.calls.get(callId);
  }

  isPaused(callId: string): boolean {
    return this.pausedCalls.has(callId);
  }

  isListened(callId: string): boolean {
    return (this.calls.get(callId)?.listeners.size ?? 0) > 0;
  }

  /** A recording's PCI pause pauses every listener of the call (sockets stop getting audio). */
  setPaused(callId: string, paused: boolean): void {
    if (paused) this.pausedCalls.add(callId); else this.pausedCalls.delete(callId);
    const call = this.calls.get(callId);
    if (!call || call.paused === paused) return;
    call.paused = paused;
    for (const l of call.listeners) l.paused(paused);
  }

  end(callId: string, reason: string): void {
    this.pausedCalls.delete(callId);
    this.calls.get(callId)?.end(reason);
  }

  endAll(reason: string): void {
    for (const call of [...this.calls.values()]) call.end(reason);
  }
}
