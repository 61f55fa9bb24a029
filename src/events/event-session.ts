import type WebSocket from 'ws';
import type { Principal } from '../common/auth/principal';
import type { StoredEvent } from './domain/event';
import { maskView } from '../common/masking/view-masking';
import { encodeEventCursor, matchTopic, type Topic } from './domain/topics';

/** Close codes a client acts on: both mean "reconnect, with `since` = your last cursor". */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_SERVICE_RESTART = 1012;

export interface SessionLimits {
  /** Bytes queued on the socket beyond which the client counts as a slow consumer. */
  maxBufferedBytes: number;
}

export type DropReason = 'slow-consumer' | 'dead-peer' | 'shutdown';

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
  position = 0;
  replaying = false;
  alive = true;
  private disposed = false;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly limits: SessionLimits,
    private readonly hooks: SessionHooks,
    /** Personal data in events is masked for this viewer (see view-masking). */
    private readonly masked = false,
  ) {}

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

  send(frame: object): boolean {
    return this.sendText(JSON.stringify(frame));
  }

  /** Text frames only: a Buffer is sent as text, never as a binary frame. */
  private sendText(text: string | Buffer): boolean {
    if (this.disposed) return false;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop('slow-consumer', CLOSE_SLOW_CONSUMER, `slow consumer: reconnect with since=${encodeEventCursor(this.position)}`);
      return false;
    }
    this.socket.send(text, { binary: false });
    return true;
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
    this.topics.clear();
    this.hooks.disposed(this);
  }

  private offer(event: StoredEvent): void {
    this.position = event.seq;
    const topic = matchTopic(event, this.topics);
    if (!topic) return;
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
    };
    frame = Buffer.from(JSON.stringify({
      op: 'event', cursor: encodeEventCursor(event.seq), topic, event: masked ? maskView(payload) : payload,
    }));
    byKey.set(key, frame);
  }
  return frame;
}
