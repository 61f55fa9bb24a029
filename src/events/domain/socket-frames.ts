import { EVENT_CATALOGUE, type EventData, type EventType } from './event-catalogue';
import { t, type Infer, type JsonSchema } from './typed-schema';

/*
 * The frames of `GET /v1/events` (contract §7), as schemas: the socket's types derive from them
 * and the AsyncAPI document prints them, so what the gateway sends is what it documents.
 */

const TOPICS = t.array(t.string('`conversation:<id>`, `agent:<id>`, `queue` or `tenant`.'));
const CURSOR = t.string('A position in the tenant’s event log: digits, increasing, not consecutive. Treat it as opaque.');

export interface FrameDefinition {
  summary: string;
  schema: JsonSchema;
}

/** What a client may send. */
export const CLIENT_FRAMES = {
  subscribe: {
    summary: 'Subscribe to topics; with `since`, first replay every matching event after that cursor from the durable log, then continue live.',
    schema: t.object({ op: t.literal('subscribe'), topics: TOPICS }, { since: CURSOR }),
  },
  unsubscribe: {
    summary: 'Stop receiving the events of these topics.',
    schema: t.object({ op: t.literal('unsubscribe'), topics: TOPICS }),
  },
  ping: {
    summary: 'Ask for a pong (an application-level keep-alive).',
    schema: t.object({ op: t.literal('ping') }),
  },
} as const satisfies Record<string, FrameDefinition>;

/** What the gateway sends besides events. */
export const CONTROL_FRAMES = {
  subscribed: {
    summary: 'The topics of a subscribe that were accepted.',
    schema: t.object({ op: t.literal('subscribed'), topics: TOPICS }),
  },
  unsubscribed: {
    summary: 'The topics of an unsubscribe.',
    schema: t.object({ op: t.literal('unsubscribed'), topics: TOPICS }),
  },
  error: {
    summary: 'A frame or a topic was refused: 400 malformed, 403 role, 404 foreign or missing conversation, 422 too many topics, 429 too many frames.',
    schema: t.object({
      op: t.literal('error'),
      status: t.integer('Like the HTTP status the REST API would answer.'),
      detail: t.string(),
    }, {
      topic: t.string('The refused topic, when one topic of a subscribe was refused.'),
    }),
  },
  pong: {
    summary: 'The answer to a ping.',
    schema: t.object({ op: t.literal('pong') }),
  },
  heartbeat: {
    summary: 'Sent every heartbeat interval (15 s by default) with a WebSocket ping: the position the socket has reached, to resume from.',
    schema: t.object({ op: t.literal('heartbeat'), cursor: CURSOR }),
  },
} as const satisfies Record<string, FrameDefinition>;

const ENVELOPE = {
  id: t.string('The event’s id.'),
  conversationId: t.nullable(t.string('The conversation it belongs to; null for events of an agent (presence).')),
  at: t.timestamp(),
};

/** The event frame of one catalogue type, as the AsyncAPI document's message payload. */
export function eventFrameSchema(type: EventType): JsonSchema {
  const { interaction, data } = EVENT_CATALOGUE[type];
  const interactionId = t.string('The chat, call or message it concerns.');
  const event = t.object(
    { id: ENVELOPE.id, type: t.literal(type), conversationId: ENVELOPE.conversationId, ...(interaction ? { interactionId } : {}), at: ENVELOPE.at, data },
    interaction ? {} : { interactionId },
  );
  return t.object({
    op: t.literal('event'),
    cursor: CURSOR,
    topic: t.string('The most specific subscribed topic the event matched (each event is sent once per socket).'),
    event,
  });
}

export type ClientFrame = { [K in keyof typeof CLIENT_FRAMES]: Infer<(typeof CLIENT_FRAMES)[K]['schema']> }[keyof typeof CLIENT_FRAMES];
export type ControlFrame = { [K in keyof typeof CONTROL_FRAMES]: Infer<(typeof CONTROL_FRAMES)[K]['schema']> }[keyof typeof CONTROL_FRAMES];

/** An event as a socket carries it: `interactionId` is left out when the event has none. */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: {
    id: string;
    type: K;
    conversationId: string | null;
    interactionId?: string;
    at: string;
    data: EventData<K>;
  };
}[T];

export interface EventFrame {
  op: 'event';
  cursor: string;
  topic: string;
  event: EventEnvelope;
}

/** Everything the gateway sends on the socket. */
export type ServerFrame = ControlFrame | EventFrame;
