import { EVENT_CATALOGUE, EVENT_TYPES } from '../events/domain/event-catalogue';
import { CLIENT_FRAMES, CONTROL_FRAMES, eventFrameSchema, type FrameDefinition } from '../events/domain/socket-frames';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

export const EVENTS_PATH = '/v1/events';

const CHANNEL = 'events';
const channelRef = { $ref: `#/channels/${CHANNEL}` };
const messageRef = (name: string): Json => ({ $ref: `#/channels/${CHANNEL}/messages/${name}` });

/** AsyncAPI message names allow letters, digits, `.`, `-` and `_`: every catalogue type and frame name fits. */
function frameMessage(name: string, frame: FrameDefinition): Json {
  return { name, title: name, summary: frame.summary, payload: frame.schema };
}

/** One operation the gateway performs on the socket: `receive` what clients send, `send` what it sends. */
function operation(action: 'send' | 'receive', summary: string, messages: string[], reply?: string[]): Json {
  return {
    action,
    channel: channelRef,
    summary,
    messages: messages.map(messageRef),
    ...(reply ? { reply: { channel: channelRef, messages: reply.map(messageRef) } } : {}),
    security: [{ $ref: '#/components/securitySchemes/bearer' }, { $ref: '#/components/securitySchemes/accessToken' }],
  };
}

/**
 * The AsyncAPI 3.0 document of `GET /v1/events` (contract §7): its frames and one message per
 * event type of the catalogue. Built from the same definitions the socket's types derive from.
 */
export function buildAsyncApiDocument(): Json {
  const messages: Json = {};
  for (const [name, frame] of Object.entries<FrameDefinition>({ ...CLIENT_FRAMES, ...CONTROL_FRAMES })) {
    messages[name] = frameMessage(name, frame);
  }
  for (const type of EVENT_TYPES) {
    messages[type] = { name: type, title: type, summary: EVENT_CATALOGUE[type].summary, payload: eventFrameSchema(type) };
  }
  const channelMessages = Object.fromEntries(Object.keys(messages).map((name) => [name, { $ref: `#/components/messages/${name}` }]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Contact gateway live events',
      version: '1',
      description: [
        'A plain RFC 6455 WebSocket at `GET /v1/events` carrying JSON text frames, one JSON object per frame with an `op`.',
        'The token (a JWT, or a tenant API key `gk_…`) goes in the `Authorization` header or, from a browser, in `?access_token=`; it is checked before',
        'the upgrade completes (401 otherwise, no socket). Events reach a socket once, under the most specific subscribed',
        'topic, in log order; `since` replays from the durable log with no gap and no duplicate. Close codes, each',
        'with the cursor to resume from in its reason: 4001 token expired, 4008 slow consumer, 4029 too many frames',
        'or sockets, 1012 restart. The REST API is described by /openapi.json.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    channels: {
      [CHANNEL]: {
        address: EVENTS_PATH,
        title: 'Live events',
        description: 'Topics: `conversation:<id>` (one conversation of the caller’s tenant), `agent:<id>` (conversations assigned to that agent; another agent’s needs supervisor or admin), `queue` (unassigned conversations and every assignment change), `tenant` (everything; supervisor or admin).',
        messages: channelMessages,
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: { access_token: { type: 'string', description: 'The JWT or API key, when the client cannot set headers.' } },
            },
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations: {
      subscribe: operation('receive', CLIENT_FRAMES.subscribe.summary, ['subscribe'], ['subscribed', 'error']),
      unsubscribe: operation('receive', CLIENT_FRAMES.unsubscribe.summary, ['unsubscribe'], ['unsubscribed', 'error']),
      ping: operation('receive', CLIENT_FRAMES.ping.summary, ['ping'], ['pong']),
      heartbeat: operation('send', CONTROL_FRAMES.heartbeat.summary, ['heartbeat']),
      events: operation('send', 'The events of the subscribed topics, live or replayed, each with its cursor.', [...EVENT_TYPES]),
    },
    components: {
      messages,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The JWT (or API key) in the `Authorization` header.' },
        accessToken: { type: 'httpApiKey', in: 'query', name: 'access_token', description: 'The JWT (or API key) in the query string (browsers).' },
      },
    },
  };
}
