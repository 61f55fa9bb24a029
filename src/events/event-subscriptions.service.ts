import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import { ConversationsService } from '../conversations/conversations.service';
import { ConversationAgentsService } from '../conversations/agents/conversation-agents.service';
import { DomainError } from '../common/errors/domain-error';
import type { ControlFrame } from './domain/socket-frames';
import { decodeEventCursor, encodeEventCursor, parseTopic, refusal, type Topic } from './domain/topics';
import { EventDispatcher } from './event-dispatcher.service';
import { CLOSE_TOO_MANY, type EventSession } from './event-session';

/** When a subscription needed the store and it failed: the client may simply try again. */
const STORE_DID_NOT_ANSWER = 'the store did not answer; subscribe again';

/** The client → server frames of contract §7: subscribe, unsubscribe, ping. */
@Injectable()
export class EventSubscriptions {
  constructor(
    private readonly dispatcher: EventDispatcher,
    private readonly conversations: ConversationsService,
    private readonly conversationAgents: ConversationAgentsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Charges a frame (or a subscribe's further topics) to the socket's budget, at arrival, before
   * any work is queued for it. A refused frame is answered with `refusedFrame`; refusals have a
   * budget of the same size, and a socket that spends it too (it keeps sending at more than twice
   * the rate) is closed with 4029.
   */
  admit(session: EventSession, cost = 1): boolean {
    if (session.frames.take(cost)) return true;
    if (!session.refusals.take()) {
      session.drop('rate-limited', CLOSE_TOO_MANY, `too many frames: reconnect later with since=${encodeEventCursor(session.position)}`);
    }
    return false;
  }

  /** The answer to a frame `admit` refused. */
  refusedFrame(session: EventSession): void {
    const { framesPerSecond, frameBurst } = this.config.events;
    session.send(error(429, `too many frames: a socket may send ${framesPerSecond} a second and ${frameBurst} at once, `
      + 'a subscribe counting once per topic (events.framesPerSecond, events.frameBurst); slow down'));
  }

  async handle(session: EventSession, text: string | null): Promise<void> {
    const frame = parseFrame(text);
    if (!frame) return void session.send(error(400, 'frames must be JSON objects with an "op"'));
    switch (frame.op) {
      case 'ping':
        return void session.send({ op: 'pong' });
      case 'subscribe':
        return this.subscribe(session, frame);
      case 'unsubscribe':
        return this.unsubscribe(session, frame);
      default:
        return void session.send(error(400, `unknown op ${JSON.stringify(frame.op)}; use subscribe, unsubscribe or ping`));
    }
  }

  private async subscribe(session: EventSession, frame: Record<string, unknown>): Promise<void> {
    const names = this.topicList(frame.topics);
    if (!names) return void session.send(this.badTopics());
    // Each topic may cost a look-up: the frame itself paid for the first one.
    if (!this.admit(session, names.length - 1)) return this.refusedFrame(session);
    const { maxTopicsPerSocket } = this.config.events;
    const added = new Set(names.filter((name) => !session.topics.has(name))).size;
    if (session.topics.size + added > maxTopicsPerSocket) {
      return void session.send(error(422, `a socket may hold at most ${maxTopicsPerSocket} topics (events.maxTopicsPerSocket); `
        + `this one holds ${session.topics.size} and the frame adds ${added}: unsubscribe some first`));
    }
    let since: number | undefined;
    if (frame.since !== undefined) {
      since = decodeEventCursor(frame.since);
      if (since === undefined) return void session.send(error(400, 'since must be a cursor this server sent'));
      if (since > (await this.dispatcher.lastSeq(session.principal.tenantId))) {
        return void session.send(error(400, 'since is ahead of the event log'));
      }
    }
    const accepted: Topic[] = [];
    for (const name of names) {
      const topic = parseTopic(name);
      const refused = topic ? await this.refusal(session, topic) : { status: 400, detail: 'not a topic: use conversation:<id>, agent:<id>, queue or tenant' };
      if (refused) session.send({ ...error(refused.status, refused.detail), topic: name });
      else accepted.push(topic!);
    }
    // An agent's topic carries the conversations they were added to as well as their own.
    const { tenantId } = session.principal;
    for (const topic of [...accepted]) {
      if (topic.kind !== 'agent') continue;
      try {
        await session.roster.follow(topic.id, () => this.conversationAgents.conversationsOf(tenantId, topic.id));
      } catch {
        session.send({ ...error(503, STORE_DID_NOT_ANSWER), topic: topic.name });
        accepted.splice(accepted.indexOf(topic), 1);
      }
    }
    if (accepted.length === 0) return;
    const fresh = accepted.filter((topic) => !session.topics.has(topic.name));
    for (const topic of accepted) session.topics.set(topic.name, topic);
    const subscribed = () => session.send({ op: 'subscribed', topics: accepted.map((t) => t.name) });
    if (since !== undefined) {
      subscribed();
      await this.dispatcher.replay(session, since);
      return;
    }
    // Live from the log's end: confirmed once that end is read, so nothing committed after the
    // confirmation is missed (the first socket of a tenant on this instance waits for the read).
    try {
      await this.dispatcher.follow(session, subscribed);
    } catch {
      for (const topic of fresh) session.topics.delete(topic.name);
      session.send(error(503, STORE_DID_NOT_ANSWER));
    }
  }

  private unsubscribe(session: EventSession, frame: Record<string, unknown>): void {
    const names = this.topicList(frame.topics);
    if (!names) return void session.send(this.badTopics());
    for (const name of names) {
      const topic = session.topics.get(name);
      session.topics.delete(name);
      if (topic?.kind === 'agent') session.roster.forget(topic.id);
    }
    session.send({ op: 'unsubscribed', topics: names });
  }

  private topicList(value: unknown): string[] | undefined {
    if (!Array.isArray(value) || value.length === 0 || value.length > this.config.events.maxTopicsPerFrame) return undefined;
    return value.every((v) => typeof v === 'string' && v.length <= 250) ? (value as string[]) : undefined;
  }

  private badTopics(): ReturnType<typeof error> {
    return error(400, `topics must be an array of 1 to ${this.config.events.maxTopicsPerFrame} topic names (events.maxTopicsPerFrame)`);
  }

  /** A refused topic answers like the REST API would: 403 for a role, 404 for a foreign id. */
  private async refusal(session: EventSession, topic: Topic): Promise<{ status: number; detail: string } | undefined> {
    const byRole = refusal(session.principal, topic);
    if (byRole) return { status: 403, detail: byRole };
    if (topic.kind !== 'conversation') return undefined;
    try {
      await this.conversations.get(session.principal, topic.id);
      return undefined;
    } catch (e) {
      if (e instanceof DomainError) return { status: e.status, detail: e.detail };
      throw e;
    }
  }
}

function parseFrame(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { op?: unknown }).op === 'string') {
      return value as Record<string, unknown>;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

function error(status: number, detail: string): Extract<ControlFrame, { op: 'error' }> {
  return { op: 'error', status, detail };
}
