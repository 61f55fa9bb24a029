import type { Writable } from 'node:stream';
import type WebSocket from 'ws';
import type { Principal } from '../common/auth/principal';
import type { StoredEvent } from './domain/event';
import type { EventEnvelope, EventFrame, ServerFrame } from './domain/socket-frames';
import { maskView } from '../common/masking/view-masking';
import { AddedAgentRoster, encodeEventCursor, matchTopic, mayReceive, type Topic } from './domain/topics';
import { FrameBudget } from './frame-budget';

/** Close codes a client acts on: each means "reconnect, with `since` = your last cursor". */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_SERVICE_RESTART = 1012;
/** The token expired: reconnect with a fresh one. */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** Too many frames, or too many sockets for the token: back off before reconnecting. */
export const CLOSE_TOO_MANY = 4029;

export interface SessionLimits {
  /** Bytes queued on the socket beyond which the client counts as a slow consumer. */
  maxBufferedBytes: number;
  /** Incoming frames per second, sustained, and at once (see EventSubscriptions.admit). */
  framesPerSecond: number;
  frameBurst: number;
}

export type DropReason = 'slow-consumer' | 'dead-peer' | 'shutdown' | 'token-expired' | 'rate-limited';

/**
 * Frames held back for one write stay below this many bytes: a replay offers a whole batch in one
 * tick, and held bytes count as buffered — below the smallest `maxBufferedBytes` allowed (16 KiB),
 * they never make a fast client look slow.
 */
const COALESCE_MAX_BYTES = 16 * 1024;

/** setTimeout fires at once for longer delays (2^31 - 1 ms, ~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionHooks {
  delivered(count: number): void;
  dropped(reason: DropReason): void;
  disposed(session: EventSession): void;
}

/**
 * One socket's subscription state. `position` is the last log entry this socket has considered
 * (delivered or not matching); every entry is offered once, in order, so nothing repeats. While
 * a replay runs, live entries are left to the replay, which reads until it has caught up.
 */
export class EventSession {
  readonly topics = new Map<string, Topic>();
  /** The conversations the agents of this socket's `agent:` topics were added to. */
  readonly roster = new AddedAgentRoster();
  position = 0;
  replaying = false;
  alive = true;
  /** Incoming frames this socket may send, and refusals it may earn before it is closed. */
  readonly frames: FrameBudget;
  readonly refusals: FrameBudget;
  private disposed = false;
  private expiry?: NodeJS.Timeout;
  private corked = false;
  private corkedBytes = 0;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly limits: SessionLimits,
    private readonly hooks: SessionHooks,
    /** Personal data in events is masked for this viewer (see view-masking). */
    private readonly masked = false,
    /** The connection under `socket` (the upgrade request's socket): frames of one turn are written together. */
    private readonly connection?: Pick<Writable, 'cork' | 'uncork'>,
  ) {
    this.frames = new FrameBudget(limits.framesPerSecond, limits.frameBurst);
    this.refusals = new FrameBudget(limits.framesPerSecond, limits.frameBurst);
    if (principal.expiresAt !== undefined) this.closeAt(principal.expiresAt);
  }

  get open(): boolean {
    return !this.disposed;
  }

  /** A live entry from the dispatcher. */
  offerLive(event: StoredEvent): void {
    if (this.replaying || event.seq <= this.position) return;
    this.offer(event);
  }

  /** An entry read by this session's own replay. */
  offerReplayed(event: StoredEvent): void {
    if (event.seq <= this.position) return;
    this.offer(event);
  }

  /** Control frames (subscribed, error, heartbeat) are masked like events: an error may quote what it refused. */
  send(frame: ServerFrame): boolean {
    return this.sendText(JSON.stringify(this.masked ? maskView(frame) : frame));
  }

  /** Text frames only: a Buffer is sent as text, never as a binary frame. */
  private sendText(text: string | Buffer): boolean {
    if (this.disposed) return false;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop('slow-consumer', CLOSE_SLOW_CONSUMER, `slow consumer: reconnect with since=${encodeEventCursor(this.position)}`);
      return false;
    }
    this.coalesce();
    this.socket.send(text, { binary: false });
    if (this.corked) {
      this.corkedBytes += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
      if (this.corkedBytes >= COALESCE_MAX_BYTES) this.uncork();
    }
    return true;
  }

  /**
   * One group commit ends several units at once, each offering its events: frames sent before the
   * next tick leave in one write to the connection instead of one write (a system call, a packet)
   * each. `ws` corks around every frame too; the connection writes when the last cork is lifted.
   */
  private coalesce(): void {
    if (this.corked || !this.connection) return;
    this.corked = true;
    this.connection.cork();
    process.nextTick(() => this.uncork());
  }

  /** Writes what is corked; each cork is lifted once, by the first of its tick's end or the size limit. */
  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.corkedBytes = 0;
    this.connection!.uncork();
  }

  heartbeat(): void {
    if (this.disposed) return;
    if (!this.alive) {
      this.hooks.dropped('dead-peer');
      this.socket.terminate();
      this.dispose();
      return;
    }
    this.alive = false;
    this.socket.ping();
    this.send({ op: 'heartbeat', cursor: encodeEventCursor(this.position) });
  }

  /** Closes with a code telling the client to come back with its cursor. */
  drop(reason: DropReason, code: number, message: string): void {
    if (this.disposed) return;
    this.hooks.dropped(reason);
    this.socket.close(code, message.slice(0, 120));
    // A peer that does not answer the close handshake is cut off.
    setTimeout(() => this.socket.terminate(), 2000).unref();
    this.dispose();
  }

  /** Safe to run twice; runs on every ending. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.expiry);
    this.topics.clear();
    this.hooks.disposed(this);
  }

  /** A socket is served only while its token is valid; REST checks every request, this checks the clock. */
  private closeAt(expiresAt: number): void {
    this.expiry = setTimeout(() => {
      if (Date.now() < expiresAt) return this.closeAt(expiresAt);
      this.drop('token-expired', CLOSE_TOKEN_EXPIRED, `token expired: reconnect with a new token and since=${encodeEventCursor(this.position)}`);
    }, Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS));
    this.expiry.unref();
  }

  private offer(event: StoredEvent): void {
    this.position = event.seq;
    // An added agent hears of their own adding; a removed one hears of their removal, then no more.
    const adds = AddedAgentRoster.adds(event.type);
    if (adds) this.roster.apply(event);
    const topic = matchTopic(event, this.topics, this.roster.byConversation);
    if (!adds) this.roster.apply(event);
    if (!topic || !mayReceive(this.principal, event.type)) return;
    if (this.sendText(eventFrame(event, topic, this.masked))) this.hooks.delivered(1);
  }
}

/**
 * Each event is serialised once per topic and view (clear or masked), however many sockets it
 * goes to, and handed to `ws` as bytes so that no socket converts it again.
 */
const frames = new WeakMap<StoredEvent, Map<string, Buffer>>();

function eventFrame(event: StoredEvent, topic: string, masked: boolean): Buffer {
  let byKey = frames.get(event);
  if (!byKey) {
    byKey = new Map();
    frames.set(event, byKey);
  }
  const key = `${masked ? 'm' : 'c'}:${topic}`;
  let frame = byKey.get(key);
  if (!frame) {
    const payload = {
      id: event.id, type: event.type, conversationId: event.conversationId,
      ...(event.interactionId ? { interactionId: event.interactionId } : {}),
      at: event.at, data: event.data,
    } as EventEnvelope; // the spread keeps each field, but TypeScript loses that `type` and `data` come from one member of the union
    const sent: EventFrame = { op: 'event', cursor: encodeEventCursor(event.seq), topic, event: masked ? maskView(payload) : payload };
    frame = Buffer.from(JSON.stringify(sent));
    byKey.set(key, frame);
  }
  return frame;
}
