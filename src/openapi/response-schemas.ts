/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

/*
 * JSON schemas of what the API answers, by hand: the views are TypeScript interfaces, which leave
 * nothing at run time to generate them from. `operation-docs.spec.ts` checks each example of
 * operation-docs.ts against these schemas, and the e2e suite checks real answers against them, so a
 * view that changes without its schema fails a test.
 */

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const str: Json = { type: 'string' };
const time: Json = { type: 'string', format: 'date-time' };
const int: Json = { type: 'integer' };

function object(properties: Json, required: string[] = Object.keys(properties), extra: Json = {}): Json {
  return { type: 'object', required, properties, ...extra };
}

const INTERACTION_PROPERTIES: Json = {
  id: str,
  channel: { enum: ['chat', 'voice', 'sms'] },
  direction: { enum: ['inbound', 'outbound'] },
  state: { type: 'string', description: 'chat: active|ended; voice: initiating|ringing|answered|held|ended|failed; sms: queued|sent|delivered|undelivered|failed|received' },
  provider: nullable(str),
  providerRef: nullable(str),
  from: nullable({ type: 'string', description: 'Masked for agents of a masking tenant.' }),
  to: nullable({ type: 'string', description: 'Masked for agents of a masking tenant.' }),
  origin: nullable(str),
  endReason: nullable(str),
  startedAt: time,
  endedAt: nullable(time),
};

/** The schemas the success responses refer to, as `#/components/schemas/<name>`. */
export const RESPONSE_SCHEMAS: Record<string, Json> = {
  Contact: object({
    id: str,
    name: nullable(str),
    phone: nullable({ type: 'string', description: 'E.164; masked (`+44••••••7542`) for agents of a masking tenant.' }),
    email: nullable({ type: 'string', description: 'Masked for agents of a masking tenant.' }),
    externalId: nullable(str),
    optedOutAt: nullable({ ...time, description: 'When the contact texted STOP; no SMS goes to them until START.' }),
    createdAt: time,
    updatedAt: time,
  }),
  Interaction: object({
    ...INTERACTION_PROPERTIES,
    answeredAt: nullable(time),
    durationSeconds: nullable(int),
    holdSeconds: nullable(int),
    talkSeconds: nullable(int),
    muted: { type: 'boolean' },
    segments: int,
    encoding: { enum: ['GSM-7', 'UCS-2'] },
    attachmentCount: int,
  }, Object.keys(INTERACTION_PROPERTIES), { description: 'A chat link, call or message of a conversation; calls add their times and mute, messages their size.' }),
  Conversation: object({
    id: str,
    status: { enum: ['active', 'wrap-up', 'closed'] },
    contact: ref('Contact'),
    agentId: nullable({ type: 'string', description: 'The assigned agent; null while in the queue.' }),
    agents: { type: 'array', items: str, description: 'Every agent of the conversation: `agentId` first (when assigned), then the agents added beside it (`POST /v1/conversations/{id}/agents`), in the order they were added.' },
    context: nullable({ type: 'object', additionalProperties: true, description: 'Screen-pop data given at creation, e.g. `{ "gps": [51.5, -0.12] }`.' }),
    disposition: nullable(str),
    notes: nullable(str),
    interactions: { type: 'array', items: ref('Interaction') },
    createdAt: time,
    updatedAt: time,
    closedAt: nullable(time),
    lastActivityAt: time,
  }),
  ConversationPage: object({ items: { type: 'array', items: ref('Conversation') }, nextCursor: nullable(str) }),
  CallStep: object({
    kind: { type: 'string', description: 'held, resumed, muted, unmuted, dtmf_sent (with `digitCount`, never the keys), transferred (with `to`).' },
    at: time,
  }, ['kind', 'at'], { additionalProperties: true }),
  Call: object({
    ...INTERACTION_PROPERTIES,
    conversationId: str,
    agentEndpoint: str,
    callerId: str,
    muted: { type: 'boolean' },
    answeredAt: nullable(time),
    durationSeconds: nullable({ type: 'integer', description: 'Answer to end (to now while live), hold included.' }),
    holdSeconds: nullable(int),
    talkSeconds: nullable(int),
    consent: nullable(object({ via: str, at: time })),
    steps: { type: 'array', items: ref('CallStep') },
    attempts: {
      type: 'array', description: 'Provider failover: each provider the call was handed to, in order; `error` null: that provider took it (README “Provider failover”).',
      items: ref('ProviderAttempt'),
    },
    failure: nullable(ref('ProviderFailure')),
    participants: {
      type: 'array',
      description: 'The customer, the agent and every party consulted, added or supervising, oldest first (README “More than two parties”).',
      items: object({
        participantId: str,
        role: { enum: ['customer', 'agent', 'consultee', 'supervisor'] },
        endpoint: str,
        state: { enum: ['dialing', 'ringing', 'connected', 'held', 'left'] },
        mode: { enum: ['talk', 'private', 'monitor', 'whisper', 'barge'] },
        reason: nullable({ enum: ['completed', 'busy', 'no-answer', 'rejected', 'canceled', 'failed', 'removed', 'call-ended'] }),
        addedBy: nullable(str),
        joinedAt: nullable(time),
        leftAt: nullable(time),
      }),
    },
  }, [...Object.keys(INTERACTION_PROPERTIES), 'conversationId', 'agentEndpoint', 'callerId', 'muted', 'answeredAt', 'durationSeconds', 'holdSeconds', 'talkSeconds', 'consent', 'steps', 'attempts', 'failure'], { additionalProperties: true }),
  Attachment: object({ id: str, contentType: str, size: nullable(int), href: { type: 'string', description: 'GET it with the same bearer token.' } }),
  Message: object({
    ...INTERACTION_PROPERTIES,
    conversationId: str,
    body: str,
    segments: int,
    encoding: { enum: ['GSM-7', 'UCS-2'] },
    error: nullable(object({ code: nullable(str), message: nullable(str) })),
    attempts: {
      type: 'array', description: 'Provider failover: each provider the message was handed to, in order; `error` null: that provider took it.',
      items: ref('ProviderAttempt'),
    },
    failure: nullable(ref('ProviderFailure')),
    attachments: { type: 'array', items: ref('Attachment') },
  }),
  ProviderAttempt: object({
    provider: str,
    error: nullable({ type: 'string', description: 'Why this provider failed (`skipped: …` when it could not be tried); null: it took it.' }),
    code: nullable({ type: 'string', description: 'The provider’s code (`skipped` for a skipped provider); null: none.' }),
  }),
  ProviderFailure: object({
    provider: str,
    code: nullable({ type: 'string', description: 'The provider’s own code: a Twilio error code (21211), an HTTP status (jambonz, Telnyx), a SIP final response code (486); null when no answer came.' }),
    message: { type: 'string', description: 'The provider’s reason, without links, credentials or account ids (and masked like every answer).' },
  }, undefined, { description: 'Why the provider failed a call or message (its refusal, or a failed report); the field is null when it did not.' }),
  TimelineItem: object({
    id: str,
    type: { type: 'string', description: '`chat_linked`, `chat_ended`, `message` (data: a Message), `call` (data: a Call), `assigned`, `released`, `wrapped_up`; more types may be added, so skip unknown ones.' },
    at: time,
    interactionId: nullable(str),
    data: { type: 'object', additionalProperties: true },
  }),
  TimelinePage: object({ items: { type: 'array', items: ref('TimelineItem') }, nextCursor: nullable(str) }),
  Activity: {
    allOf: [ref('Conversation'), object({
      channels: { type: 'array', items: { enum: ['chat', 'voice', 'sms'] } },
      lastMessage: nullable(object({ interactionId: str, direction: str, at: time, preview: str, attachmentCount: int })),
      timelineHref: str,
    })],
  },
  ActivityPage: object({ items: { type: 'array', items: ref('Activity') }, nextCursor: nullable(str) }),
  ContactList: object({ items: { type: 'array', items: ref('Contact'), maxItems: 1 } }),
  AgentList: object({
    items: { type: 'array', items: object({ agentId: str, status: { const: 'online' } }, ['agentId', 'status'], { additionalProperties: true }) },
  }),
  Me: object({
    agentId: str,
    roles: { type: 'array', items: { enum: ['agent', 'supervisor', 'admin'] } },
    clearData: { type: 'boolean', description: 'Whether this caller sees phone numbers and e-mails in clear.' },
    tenant: object({
      id: str,
      name: str,
      maxComposeLength: { type: 'integer', minimum: 1, maximum: 1600 },
      numbers: { type: 'array', items: str, description: 'The tenant’s own numbers (E.164).' },
      dispositions: { type: 'array', items: str, description: 'Wrap-up reasons to choose from; empty: any disposition.' },
      smsTemplates: { type: 'array', items: str, description: 'SMS templates to offer; `<name>` marks a parameter, filled through `template.params`.' },
      requireConsent: { type: 'boolean' },
      maskSensitiveData: { type: 'boolean' },
    }),
  }),
  InboundResult: object({ duplicate: { type: 'boolean' }, interactionId: str, conversationId: str }),
  Liveness: object({ status: { const: 'ok' } }),
  Readiness: object({
    status: { enum: ['ok', 'unavailable'] },
    ready: { type: 'boolean' },
    checks: { type: 'object', additionalProperties: object({ status: { enum: ['up', 'down'] }, error: str }, ['status']) },
  }, ['status', 'ready', 'checks']),
  JambonzVerbs: { type: 'array', items: { type: 'object', required: ['verb'], properties: { verb: str }, additionalProperties: true }, description: 'jambonz application verbs.' },
};
