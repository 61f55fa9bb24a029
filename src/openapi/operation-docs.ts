/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

/**
 * What a reader of `/docs` needs per operation beyond what the code's metadata says: a summary, a
 * description, the success response's schema and examples of the request and the response.
 * Keyed `<method> <OpenAPI path>`. A route may carry the same on its handler with `@ApiDoc()`
 * (api-doc.decorator.ts) instead; the OpenAPI e2e suite fails for an operation with neither.
 */
export interface OperationDoc {
  summary: string;
  description: string;
  /** The success response's schema (a `$ref` to RESPONSE_SCHEMAS, or inline); absent for 101/204. */
  response?: Json;
  /** The success response's media type when it is not JSON (the route's own header wins). */
  responseMedia?: string;
  requestExample?: unknown;
  responseExample?: unknown;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

const CONTACT = {
  id: '01JE8Z3K5V2W7Q9R4T6Y8U0I1O', name: 'Melissa Jones', phone: '+447966197542', email: 'melissa@example.com',
  externalId: 'crm-4711', optedOutAt: null, createdAt: '2026-12-04T09:00:00.000Z', updatedAt: '2026-12-04T09:00:00.000Z',
};
const CHAT = {
  id: '01JE8Z3K6A0000000000000001', channel: 'chat', direction: 'inbound', state: 'active', provider: null, providerRef: 'chat-1',
  from: null, to: null, origin: 'mobile', endReason: null, startedAt: '2026-12-04T09:00:00.000Z', endedAt: null,
};
const CALL_INTERACTION = {
  id: '01JE8Z4B2C0000000000000002', channel: 'voice', direction: 'outbound', state: 'answered', provider: 'simulator', providerRef: 'sim-call-1',
  from: '+14155550100', to: '+447966197542', origin: null, endReason: null, startedAt: '2026-12-04T09:01:00.000Z', endedAt: null,
};
const CONVERSATION = {
  id: '01JE8Z3K5V0000000000000000', status: 'active', contact: CONTACT, agentId: 'alice', agents: ['alice'], context: { gps: [51.5014, -0.1419] },
  disposition: null, notes: null,
  interactions: [CHAT, { ...CALL_INTERACTION, answeredAt: '2026-12-04T09:01:05.000Z', durationSeconds: 42, holdSeconds: 0, talkSeconds: 42, muted: false }],
  createdAt: '2026-12-04T09:00:00.000Z', updatedAt: '2026-12-04T09:01:05.000Z', closedAt: null, lastActivityAt: '2026-12-04T09:01:05.000Z',
};
const CALL = {
  ...CALL_INTERACTION, conversationId: CONVERSATION.id, agentEndpoint: 'user:alice', callerId: '+14155550100', muted: false,
  answeredAt: '2026-12-04T09:01:05.000Z', durationSeconds: 42, holdSeconds: 0, talkSeconds: 42, consent: null,
  steps: [{ kind: 'dtmf_sent', at: '2026-12-04T09:01:20.000Z', digitCount: 1, agentId: 'alice' }],
  attempts: [], failure: null,
};
const MESSAGE = {
  id: '01JE8Z5C3D0000000000000003', channel: 'sms', direction: 'outbound', state: 'delivered', provider: 'simulator', providerRef: 'SM123',
  from: '+14155550100', to: '+447966197542', origin: null, endReason: null, startedAt: '2026-12-04T09:05:00.000Z', endedAt: null,
  conversationId: CONVERSATION.id, body: 'Your claim 4711 is open.', segments: 1, encoding: 'GSM-7', error: null, attachments: [],
  attempts: [{ provider: 'twilio', error: 'twilio refused the message: Service Unavailable', code: '20500' }, { provider: 'simulator', error: null, code: null }],
  failure: null,
};
const CLOSED = { ...CONVERSATION, status: 'closed', disposition: 'Resolved', notes: 'Tow truck sent.', closedAt: '2026-12-04T09:10:00.000Z' };
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** The operations of the gateway that are not documented on their handlers. */
export const OPERATION_DOCS: Record<string, OperationDoc> = {
  'get /': {
    summary: 'The agent console',
    description: 'The agent console page (HTML). It loads its own script and stylesheet and talks to this API with the token the agent pastes.',
    response: { type: 'string' }, responseMedia: 'text/html', responseExample: '<!doctype html>…',
  },
  'get /docs': {
    summary: 'This API reference',
    description: 'This page: the OpenAPI document rendered, with a link to the AsyncAPI document of the live events socket.',
    response: { type: 'string' }, responseMedia: 'text/html', responseExample: '<!doctype html>…',
  },
  'get /openapi.json': {
    summary: 'The OpenAPI document',
    description: 'The OpenAPI 3.1 document of the REST API, generated at run time from the controllers and DTOs.',
    response: { type: 'object', required: ['openapi', 'paths'], additionalProperties: true }, responseExample: { openapi: '3.1.0', info: { title: 'Contact gateway API', version: '1' }, paths: {} },
  },
  'get /asyncapi.json': {
    summary: 'The AsyncAPI document of the live events',
    description: 'The AsyncAPI 3.0 document of `GET /v1/events`: its frames and one message per event type with its payload schema, generated from the event catalogue the code publishes with.',
    response: { type: 'object', required: ['asyncapi', 'channels'], additionalProperties: true }, responseExample: { asyncapi: '3.0.0', channels: {}, operations: {} },
  },
  'get /health/live': {
    summary: 'Liveness',
    description: 'Answers 200 while the process runs its event loop; no dependency is checked.',
    response: ref('Liveness'), responseExample: { status: 'ok' },
  },
  'get /health/ready': {
    summary: 'Readiness',
    description: 'Whether the store (and Redis, when configured) answer: 200 `ok` when every check is up, 503 `unavailable` naming the check that is down.',
    response: ref('Readiness'), responseExample: { status: 'ok', ready: true, checks: { database: { status: 'up' } } },
  },
  'get /metrics': {
    summary: 'Prometheus metrics',
    description: 'Prometheus text exposition. With `METRICS_TOKEN` set it needs `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).',
    response: { type: 'string' }, responseMedia: 'text/plain', responseExample: '# TYPE gateway_ws_open_sockets gauge\ngateway_ws_open_sockets 3\n',
  },
  'get /v1/me': {
    summary: 'Who I am, and my tenant’s desktop settings',
    description: 'The caller (agent id, roles, whether they see personal data in clear) and the settings of their tenant a desktop acts on: the SMS compose limit, the wrap-up reasons (`dispositions`), whether calls need consent.',
    response: ref('Me'),
    responseExample: { agentId: 'alice', roles: ['agent'], clearData: true, tenant: { id: 'default', name: 'Default tenant', maxComposeLength: 1000, numbers: ['+14155550100'], dispositions: ['Resolved', 'Callback requested'], smsTemplates: ['Hi <name>, your claim <claim> is open.'], requireConsent: false, maskSensitiveData: false } },
  },
  'post /v1/conversations': {
    summary: 'Open a conversation',
    description: 'Finds or creates the contact (by `externalId`, then phone, then e-mail) and opens a conversation, optionally linked to a chat session. 201 when new; 200 with the existing conversation when `chat.sessionId` is already linked. `context` is screen-pop data (at most 16 KiB), e.g. the mobile customer’s GPS position.',
    response: ref('Conversation'),
    requestExample: { contact: { phone: '+447966197542', name: 'Melissa Jones' }, chat: { sessionId: 'chat-1', origin: 'mobile' }, context: { gps: [51.5014, -0.1419] } },
    responseExample: CONVERSATION,
  },
  'get /v1/conversations': {
    summary: 'List conversations',
    description: 'The tenant’s conversations, most recently active first, paged by `cursor`. `assigned=me` lists the caller’s, `assigned=none` the queue, `assigned=<agentId>` an agent’s.',
    response: ref('ConversationPage'), responseExample: { items: [CONVERSATION], nextCursor: null },
  },
  'get /v1/conversations/{id}': {
    summary: 'Get a conversation',
    description: 'The conversation with its contact and interactions (calls with their times and mute, messages with their size).',
    response: ref('Conversation'), responseExample: CONVERSATION,
  },
  'get /v1/conversations/{id}/timeline': {
    summary: 'A conversation’s timeline',
    description: 'Everything that happened in the conversation, oldest first, paged by `cursor`: chat links and ends, messages with their texts and pictures, calls with their steps, assignments and the wrap-up.',
    response: ref('TimelinePage'),
    responseExample: { items: [{ id: CHAT.id, type: 'chat_linked', at: CHAT.startedAt, interactionId: CHAT.id, data: { sessionId: 'chat-1', origin: 'mobile' } }, { id: MESSAGE.id, type: 'message', at: MESSAGE.startedAt, interactionId: MESSAGE.id, data: MESSAGE }], nextCursor: null },
  },
  'post /v1/conversations/{id}/chat/end': {
    summary: 'End the linked chat',
    description: 'Records that the chat ended. With nothing else live the conversation moves to `wrap-up`. Ending an ended chat changes nothing (200); a conversation without a chat is 409.',
    response: ref('Conversation'), responseExample: { ...CONVERSATION, status: 'wrap-up' },
  },
  'post /v1/conversations/{id}/wrap-up': {
    summary: 'Wrap up and close',
    description: 'Hangs up live calls, then closes the conversation with a disposition and notes. When the tenant lists `dispositions`, the disposition must be one of them (422 naming `disposition`). A second wrap-up is 409.',
    response: ref('Conversation'), requestExample: { disposition: 'Resolved', notes: 'Tow truck sent.' }, responseExample: CLOSED,
  },
  'post /v1/conversations/{id}/claim': {
    summary: 'Claim from the queue',
    description: 'Assigns an unassigned conversation to the caller. Of several agents claiming at once exactly one gets 200; the others 409. Claiming one’s own again is 200.',
    response: ref('Conversation'), responseExample: CONVERSATION,
  },
  'post /v1/conversations/{id}/assign': {
    summary: 'Assign to an agent',
    description: 'A supervisor gives the conversation to an agent (`conversation.assigned`).',
    response: ref('Conversation'), requestExample: { agentId: 'bob' }, responseExample: { ...CONVERSATION, agentId: 'bob', agents: ['bob'] },
  },
  'post /v1/conversations/{id}/release': {
    summary: 'Release to the queue',
    description: 'An agent gives their conversation back to the queue (403 for another agent’s; supervisors may release any).',
    response: ref('Conversation'), responseExample: { ...CONVERSATION, agentId: null, agents: [] },
  },
  'post /v1/conversations/{id}/transfer': {
    summary: 'Hand the conversation over',
    description: 'Hands the conversation — chat, messages and a live call — to another agent (`agentId`, with `endpoint` for their device when a call goes along) or back to the queue (`queue: true`).',
    response: ref('Conversation'), requestExample: { agentId: 'bob', endpoint: 'user:bob' }, responseExample: { ...CONVERSATION, agentId: 'bob', agents: ['bob'] },
  },
  'get /v1/agents': {
    summary: 'Agents online',
    description: 'The tenant’s agents with a live events socket open on any instance.',
    response: ref('AgentList'), responseExample: { items: [{ agentId: 'alice', status: 'online' }] },
  },
  'get /v1/contacts': {
    summary: 'Look a contact up by phone',
    description: 'The contact with this phone number (normalised with the tenant’s default region): `{ items: [contact] }`, or `{ items: [] }`.',
    response: ref('ContactList'), responseExample: { items: [CONTACT] },
  },
  'get /v1/contacts/{id}': {
    summary: 'Get a contact',
    description: 'The contact. Agents of a masking tenant see phone and e-mail masked.',
    response: ref('Contact'), responseExample: CONTACT,
  },
  'patch /v1/contacts/{id}': {
    summary: 'Change a contact',
    description: 'Changes the given fields; `null` clears one. A phone, e-mail or external id another contact has is 409.',
    response: ref('Contact'), requestExample: { name: 'Melissa Jones', email: null }, responseExample: { ...CONTACT, email: null },
  },
  'get /v1/contacts/{id}/activities': {
    summary: 'A contact’s conversations',
    description: 'Every conversation of the contact, most recently active first, with its channels, a preview of its last message and its timeline link.',
    response: ref('ActivityPage'),
    responseExample: { items: [{ ...CONVERSATION, channels: ['chat', 'voice'], lastMessage: null, timelineHref: `/v1/conversations/${CONVERSATION.id}/timeline` }], nextCursor: null },
  },
  'post /v1/conversations/{id}/calls': {
    summary: 'Click-to-call',
    description: 'Calls the agent’s endpoint and bridges the customer (`to`, default the contact’s phone). 202 with the call in `initiating`; its progress arrives as `call.*` events. `callerId` must be a tenant number and `agentEndpoint` match the tenant’s `agentEndpoints` (422). Tenants requiring consent need `consent`. '
      + 'A tenant with `voiceProviders` fails over: a call the first provider could not take (no answer, a 5xx) is placed once through the next, from a number that provider owns, and is that provider’s from then on (`provider`); `attempts` lists each provider and why it failed. '
      + 'A call a provider refused (4xx) or failed later is `failed` with `failure: { provider, code, message }` (a Twilio error code, an HTTP status, a SIP response code). README “Provider failover”.',
    response: ref('Call'), requestExample: { agentEndpoint: 'user:alice', consent: { via: 'chat', at: '2026-12-04T09:00:30Z' } },
    responseExample: { ...CALL, state: 'initiating', provider: 'jambonz', providerRef: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', answeredAt: null, durationSeconds: null, holdSeconds: null, talkSeconds: null, steps: [],
      attempts: [{ provider: 'twilio', error: 'twilio could not place the call: Service Unavailable (20503)', code: '20503' }, { provider: 'jambonz', error: null, code: null }] },
  },
  'get /v1/calls/{id}': {
    summary: 'Get a call',
    description: 'The call with its state, mute, times (measured up to now while live) and steps; the providers it was handed to (`attempts`) and, when one failed it, why (`failure`).',
    response: ref('Call'), responseExample: CALL,
  },
  'post /v1/calls/{id}/hangup': { summary: 'Hang up', description: 'Ends the call (409 when it has ended).', response: ref('Call'), responseExample: { ...CALL, state: 'ended', endReason: 'completed', endedAt: '2026-12-04T09:02:00.000Z' } },
  'post /v1/calls/{id}/hold': { summary: 'Hold', description: 'Puts the answered call on hold (409 unless `answered`; 422 when the provider cannot).', response: ref('Call'), responseExample: { ...CALL, state: 'held' } },
  'post /v1/calls/{id}/resume': { summary: 'Resume', description: 'Takes the call off hold (409 unless `held`).', response: ref('Call'), responseExample: CALL },
  'post /v1/calls/{id}/mute': { summary: 'Mute', description: 'Mutes the agent’s microphone (409 unless connected).', response: ref('Call'), responseExample: { ...CALL, muted: true } },
  'post /v1/calls/{id}/unmute': { summary: 'Unmute', description: 'Unmutes the agent’s microphone (409 unless connected).', response: ref('Call'), responseExample: CALL },
  'post /v1/calls/{id}/dtmf': {
    summary: 'Send DTMF',
    description: 'Plays keys (`0-9*#`, `w` and `,` pause) into the answered call. The call’s timeline keeps how many keys were sent, never which.',
    response: ref('Call'), requestExample: { digits: '1' }, responseExample: CALL,
  },
  'post /v1/calls/{id}/transfer': {
    summary: 'Transfer',
    description: 'Blind transfer of the customer to another endpoint, which must match the tenant’s `agentEndpoints` (422).',
    response: ref('Call'), requestExample: { to: 'user:bob' }, responseExample: { ...CALL, steps: [{ kind: 'transferred', at: '2026-12-04T09:01:30.000Z', to: 'user:bob' }] },
  },
  'post /v1/conversations/{id}/messages': {
    summary: 'Send an SMS or MMS',
    description: 'Sends `body` (at most the tenant’s compose limit, 422 beyond) or a `template` whose `<param>` fields are filled from `params`, with optional `mediaUrls`. 202 with the message as queued; delivery arrives as `sms.*` events. A contact who opted out is 422. '
      + 'A message the provider refused, or reported failed or undelivered, carries `failure: { provider, code, message }` (README “Provider failover”).',
    response: ref('Message'), requestExample: { template: { text: 'Hi <name>, your claim <claim> is open.', params: { name: 'Melissa', claim: '4711' } } },
    responseExample: { ...MESSAGE, state: 'queued', body: 'Hi Melissa, your claim 4711 is open.' },
  },
  'get /v1/messages/{id}': {
    summary: 'Get a message',
    description: 'One message with its body, state, error, attachments, the providers it was handed to (`attempts`) and, when one failed it, why (`failure`).',
    response: ref('Message'), responseExample: MESSAGE,
  },
  'get /v1/attachments/{id}': {
    summary: 'Get a picture a customer sent',
    description: 'Streams the attachment with its own content type (fetched from the provider’s media host only).',
    response: { type: 'string', format: 'binary' }, responseMedia: 'application/octet-stream', responseExample: '(image bytes)',
  },
  'post /v1/simulator/inbound-sms': {
    summary: 'Simulate a customer texting in',
    description: 'Plays an inbound SMS/MMS into the caller’s tenant as if the simulator provider had received it (pictures as base64 or `data:` URLs). Only for tenants on the simulator unless `SIMULATOR_ALL_TENANTS`.',
    response: ref('InboundResult'), requestExample: { from: '+447966197542', to: '+14155550100', body: 'Here is the photo 📷' },
    responseExample: { duplicate: false, interactionId: '01JE8Z6D4E0000000000000004', conversationId: CONVERSATION.id },
  },
  'post /webhooks/twilio/sms': {
    summary: 'Twilio: inbound message',
    description: 'Twilio’s messaging webhook (signed with `X-Twilio-Signature`). Answered with empty TwiML once the message is stored.',
    response: { type: 'string' }, responseMedia: 'text/xml', requestExample: 'From=%2B447966197542&To=%2B14155550100&Body=Hi&MessageSid=SM123', responseExample: TWIML,
  },
  'post /webhooks/twilio/sms/status': {
    summary: 'Twilio: message status',
    description: 'Twilio’s status callback for a sent message (signed); `mid` is the gateway’s signed message id.',
    requestExample: 'MessageSid=SM123&MessageStatus=delivered',
  },
  'post /webhooks/twilio/voice': {
    summary: 'Twilio: call instructions',
    description: 'TwiML for a placed call: dial the agent, then bridge the customer (`cid` is the gateway’s signed call id).',
    response: { type: 'string' }, responseMedia: 'text/xml', responseExample: '<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>+447966197542</Number></Dial></Response>',
  },
  'post /webhooks/twilio/voice/status': {
    summary: 'Twilio: call status',
    description: 'Twilio’s status callback for a call (signed).',
    requestExample: 'CallSid=CA123&CallStatus=in-progress',
  },
  'post /webhooks/jambonz/call': {
    summary: 'jambonz: call hook',
    description: 'jambonz’s call_hook of a placed call (or a transfer): verbs that dial the agent or the transfer target. The dial carries a stereo `listen` (8 kHz L16, customer left, agent right) to the gateway’s `/webhooks/jambonz/listen` WebSocket, its URL signed for the call and the customer’s leg (`call_sid`): the audio the gateway records and streams.',
    response: ref('JambonzVerbs'), responseExample: [{ verb: 'dial', target: [{ type: 'user', name: 'alice' }] }],
    requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', direction: 'outbound', call_status: 'in-progress' },
  },
  'post /webhooks/jambonz/call/status': {
    summary: 'jambonz: call status',
    description: 'jambonz’s call_status_hook (signed with `Jambonz-Signature`).',
    requestExample: { call_sid: 'abc', call_status: 'in-progress' },
  },
  'post /webhooks/jambonz/sms': {
    summary: 'jambonz: inbound message',
    description: 'jambonz’s messaging webhook (signed). Answered with an empty verb list once the message is stored.',
    response: ref('JambonzVerbs'), requestExample: { from: '+447966197542', to: '+14155550100', text: 'Hi', message_id: 'm1' }, responseExample: [],
  },
  'post /webhooks/jambonz/sms/status': {
    summary: 'jambonz: message status',
    description: 'jambonz’s status callback for a sent message (signed); `mid` is the gateway’s signed message id.',
    requestExample: { message_id: 'm1', status: 'delivered' },
  },
  'post /webhooks/telnyx/sms': {
    summary: 'Telnyx: message events',
    description: 'Telnyx’s messaging webhook (Ed25519-signed): inbound messages and delivery reports of sent ones.',
    requestExample: { data: { event_type: 'message.received', payload: { from: { phone_number: '+447966197542' }, to: [{ phone_number: '+14155550100' }], text: 'Hi' } } },
  },
};
