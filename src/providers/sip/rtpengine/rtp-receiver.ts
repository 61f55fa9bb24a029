import { createSocket, type Socket } from 'node:dgram';
import type { CallAudioSink } from '../../call-media.port';
import { FRAME_MS, SAMPLES_PER_FRAME, TRACKS, type Track } from '../../../media/domain/pcm';
import { g711Decode } from './domain/g711';
import { parseRtp } from './domain/rtp';

/** Audio held per track before the oldest is dropped: a burst after a stall, or a clock running fast. */
const MAX_BUFFERED = SAMPLES_PER_FRAME * 10;
/** Audio held before a track plays (again): packets come in bursts and with their own ptime (30 ms…). */
const PLAYOUT_DELAY = SAMPLES_PER_FRAME * 2;
/** RFC 4733 events come on the type the phone negotiated (the subscription's offer says which); 101 until told. */
const TELEPHONE_EVENT = 101;
const EVENT_DIGITS = '0123456789*#ABCD';

interface TrackState {
  socket: Socket; queue: Int16Array[]; queued: number; playing: boolean; eventTypes: readonly number[];
  lastSequence?: number; lastEvent?: number; packets: number;
}

/**
 * The gateway's end of rtpengine's media subscriptions for one call: a UDP socket per track that
 * takes RTP, decodes G.711 and hands the sink one 20 ms frame per track on a steady clock —
 * audio when it came, silence when it did not (a held or muted phone sends nothing) — so both
 * tracks stay aligned in time, as the recorder and the stream clients expect.
 */
export class RtpReceiver {
  private readonly tracks = new Map<Track, TrackState>();
  private clock?: NodeJS.Timeout;
  private started = 0;
  private ticks = 0;
  private stopped = false;

  private constructor(private readonly sink: CallAudioSink) {}

  /** Binds one socket per track on `address` (where rtpengine reaches the gateway). */
  static async open(address: string, sink: CallAudioSink): Promise<RtpReceiver> {
    const receiver = new RtpReceiver(sink);
    try {
      for (const track of TRACKS) {
        const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
        const state: TrackState = { socket, queue: [], queued: 0, playing: false, eventTypes: [TELEPHONE_EVENT], packets: 0 };
        receiver.tracks.set(track, state);
        await new Promise<void>((resolve, reject) => { socket.once('error', reject); socket.bind(0, address, () => { socket.off('error', reject); resolve(); }); });
        socket.on('message', (datagram) => receiver.onPacket(track, state, datagram));
        socket.on('error', () => undefined);
      }
    } catch (error) {
      receiver.stop();
      throw error;
    }
    return receiver;
  }

  port(track: Track): number {
    return this.tracks.get(track)!.socket.address().port;
  }

  /** The payload types of RFC 4733 events on a track (from rtpengine's offer of it). */
  eventTypes(track: Track, types: readonly number[]): void {
    if (types.length > 0) this.tracks.get(track)!.eventTypes = types;
  }

  /** RTP packets taken per track so far (tests, logs). */
  packets(track: Track): number {
    return this.tracks.get(track)?.packets ?? 0;
  }

  /** Starts the 20 ms clock; the first frames go out one tick later. */
  start(): void {
    if (this.clock || this.stopped) return;
    this.started = performance.now();
    const tick = (): void => {
      if (this.stopped) return;
      this.ticks++;
      for (const track of TRACKS) this.sink.frame(track, this.take(this.tracks.get(track)!));
      // Scheduled against the start, not the last tick, so the timer's lateness does not add up.
      this.clock = setTimeout(tick, Math.max(0, this.started + (this.ticks + 1) * FRAME_MS - performance.now()));
    };
    this.clock = setTimeout(tick, FRAME_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.clock);
    for (const { socket } of this.tracks.values()) {
      try { socket.close(); } catch { /* not bound yet, or closed */ }
    }
  }

  private onPacket(track: Track, state: TrackState, datagram: Buffer): void {
    const packet = parseRtp(datagram);
    if (!packet) return;
    // Late or repeated packets (sequence not ahead of the last one, mod 2^16) are dropped.
    if (state.lastSequence !== undefined && ((packet.sequence - state.lastSequence) & 0xffff) >= 0x8000) return;
    if (state.lastSequence === packet.sequence) return;
    state.lastSequence = packet.sequence;
    state.packets++;
    if (state.eventTypes.includes(packet.payloadType)) return this.onEvent(track, state, packet.timestamp, packet.payload);
    const samples = g711Decode(packet.payloadType, packet.payload);
    if (!samples) return;
    state.queue.push(samples);
    state.queued += samples.length;
    while (state.queued - state.queue[0]!.length >= MAX_BUFFERED) state.queued -= state.queue.shift()!.length;
  }

  /** RFC 4733: one digit per event timestamp, told once (its first packet). */
  private onEvent(track: Track, state: TrackState, timestamp: number, payload: Buffer): void {
    if (payload.length < 4 || state.lastEvent === timestamp) return;
    state.lastEvent = timestamp;
    const digit = EVENT_DIGITS[payload[0]!];
    if (digit) this.sink.dtmf(digit, track);
  }

  /** The next 20 ms of a track: what arrived, then silence for what did not. */
  private take(state: TrackState): Int16Array {
    const frame = new Int16Array(SAMPLES_PER_FRAME);
    if (!state.playing && state.queued < PLAYOUT_DELAY) return frame;
    state.playing = state.queued >= SAMPLES_PER_FRAME; // an underrun waits for the delay again
    let filled = 0;
    while (filled < SAMPLES_PER_FRAME && state.queue.length > 0) {
      const head = state.queue[0]!;
      const n = Math.min(head.length, SAMPLES_PER_FRAME - filled);
      frame.set(head.subarray(0, n), filled);
      filled += n;
      state.queued -= n;
      if (n === head.length) state.queue.shift(); else state.queue[0] = head.subarray(n);
    }
    return frame;
  }
}
