import type { CallState, EndReason } from '../../calls/domain/call-state';
import type { LeftReason, ParticipantMode, ParticipantRole, ParticipantState } from '../../calls/participants/domain/participant';
import type { Channel } from '../../conversations/domain/conversation';
import type { AssignmentVia } from '../../conversations/domain/conversation-state';
import type { SmsEncoding } from '../../messaging/domain/segments';
import { t, type Infer, type Schema } from './typed-schema';

/*
 * Every event the gateway publishes, one entry per type: what it means and the schema of its
 * `data`. The TypeScript payload types are derived from these schemas, so appending an unknown type
 * or a wrong payload does not compile; the AsyncAPI document (/asyncapi.json), the OpenAPI
 * description of /v1/events, the README's table and the console read the same entries.
 */

export interface EventDefinition<D> {
  /** One line: what happened. */
  summary: string;
  /** Whether the event names an interaction (a chat, call or message) besides its conversation. */
  interaction: boolean;
  data: Schema<D>;
}

/** All values of a union, in a tuple for `t.enum`: leaving one out, or adding a stranger, does not compile. */
const allOf = <T extends string>() =>
  <const V extends readonly [T, ...T[]]>(values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : { missing: Exclude<T, V[number]> })): V => values;

const CALL_STATES = allOf<CallState>()(['initiating', 'ringing', 'answered', 'held', 'ended', 'failed']);
const END_REASONS = allOf<EndReason>()(['completed', 'busy', 'no-answer', 'rejected', 'canceled', 'failed']);
const CHANNELS = allOf<Channel>()(['chat', 'voice', 'sms']);
const VIAS = allOf<AssignmentVia>()(['api', 'sticky', 'queue']);
const ENCODINGS = allOf<SmsEncoding>()(['GSM-7', 'UCS-2']);

const agentId = (description: string) => t.string(description);

const CONTACT = t.named('Contact', t.object({
  id: t.string(),
  name: t.nullable(t.string()),
  phone: t.nullable(t.string('E.164.')),
  email: t.nullable(t.string()),
  externalId: t.nullable(t.string('The id of the contact in the tenant’s own system.')),
  optedOutAt: t.nullable(t.timestamp('When the contact opted out of SMS; null while they may be texted.')),
  createdAt: t.timestamp(),
  updatedAt: t.timestamp(),
}, {}, 'The contact, as `GET /v1/contacts/{id}` answers it.'));

/** What every call state change carries: the call as it is now. */
const CALL_STATUS = t.named('CallStatus', t.object({
  state: t.enum(CALL_STATES, 'The call’s state after the change.'),
  muted: t.boolean('Whether the agent’s microphone is muted.'),
  endReason: t.nullable(t.enum(END_REASONS, 'Why the call ended; null while it lasts.')),
  providerRef: t.nullable(t.string('The provider’s id of the call (Twilio CallSid, jambonz call_sid, SIP Call-ID); null until the provider gave one.')),
  direction: t.enum(['inbound', 'outbound'], '`inbound`: the customer called in; `outbound`: a click-to-call.'),
}));

/** Ended by wrap-up: the agent closed the conversation while the interaction was still live. */
const ENDED_BY_WRAP_UP = t.object({ endReason: t.literal('wrap-up', 'The agent wrapped the conversation up while it was live.') });

/** A delivery report of an outbound message. */
const SMS_STATUS = t.named('DeliveryReport', t.object({
  providerRef: t.nullable(t.string('The provider’s id of the message; null when it refused before giving one.')),
  errorCode: t.nullable(t.string('The provider’s error code, when it reported one.')),
}, {
  error: t.string('The provider’s error message, when it reported one.'),
}));

/** A party of a call as it is after the change (src/calls/participants). */
const PARTICIPANT = t.named('CallParticipant', t.object({
  participantId: t.string('Stable within the call: `DELETE /v1/calls/{id}/participants/{participantId}` takes it.'),
  role: t.enum(allOf<ParticipantRole>()(['customer', 'agent', 'consultee', 'supervisor'])),
  endpoint: t.string('The customer’s number, or the agent endpoint dialled (sip: URI, E.164 or user:<name>).'),
  state: t.enum(allOf<ParticipantState>()(['dialing', 'ringing', 'connected', 'held', 'left'])),
  mode: t.enum(allOf<ParticipantMode>()(['talk', 'private', 'monitor', 'whisper', 'barge']), '`private`: consulted while the customer holds; `monitor`: listens; `whisper`: only the agent hears them; `barge`: talks with everyone.'),
  reason: t.nullable(t.enum(allOf<LeftReason>()(['completed', 'busy', 'no-answer', 'rejected', 'canceled', 'failed', 'removed', 'call-ended']), 'Why the party left; null while present.')),
  addedBy: t.nullable(t.string('The agent who brought the party in; null for the call’s own customer and agent.')),
}));

const callStep = (summary: string): EventDefinition<Infer<typeof CALL_STATUS>> => ({ summary, interaction: true, data: CALL_STATUS });
const smsStatus = (summary: string): EventDefinition<Infer<typeof SMS_STATUS>> => ({ summary, interaction: true, data: SMS_STATUS });
const OPT_KEYWORD = t.object({
  contactId: t.string(),
  keyword: t.string('The message that was the keyword, trimmed (STOP, START, …).'),
});

/** A recording's state change (media/): which recording, and how a pause treats the audio. */
const RECORDING_STEP = t.named('RecordingStep', t.object({
  recordingId: t.string(),
  state: t.enum(['recording', 'paused', 'stopped'], 'The recording’s state after the change.'),
  pauseBehavior: t.enum(['silence', 'skip'], '`silence`: a paused span is kept as silence; `skip`: it is left out of the file.'),
  by: t.nullable(agentId('Who asked for it; null for the tenant’s `always` policy or the call’s end.')),
}));
const recordingStep = (summary: string): EventDefinition<Infer<typeof RECORDING_STEP>> => ({ summary, interaction: true, data: RECORDING_STEP });

export const EVENT_CATALOGUE = {
  'conversation.created': {
    summary: 'A conversation was opened, through the API or by a customer texting in.',
    interaction: false,
    data: t.object({
      channel: t.nullable(t.enum(CHANNELS, 'The channel that opened it; null when the API opened it without a chat.')),
      assignment: t.object({
        agentId: t.nullable(agentId('Its agent; null when it waits in the queue.')),
        via: t.enum(VIAS, '`api`: named by the API call; `sticky`: the returning customer’s agent; `queue`: nobody yet.'),
      }),
      contact: CONTACT,
    }, {
      conversation: t.document('The conversation, as `GET /v1/conversations/{id}` answers it (when opened through the API).'),
    }),
  },
  'conversation.updated': {
    summary: 'A conversation went to wrap-up (nothing live left) or back to active (the customer wrote again).',
    interaction: false,
    data: t.object({
      status: t.enum(['active', 'wrap-up']),
      previousStatus: t.enum(['active', 'wrap-up']),
    }),
  },
  'conversation.closed': {
    summary: 'The agent wrapped the conversation up.',
    interaction: false,
    data: t.object({
      status: t.literal('closed'),
      previousStatus: t.enum(['active', 'wrap-up']),
      disposition: t.string(),
    }),
  },
  'conversation.assigned': {
    summary: 'An agent claimed the conversation, or a supervisor assigned it.',
    interaction: false,
    data: t.object({
      agentId: agentId('The agent who has it now.'),
      by: agentId('Who assigned it.'),
      previousAgentId: t.nullable(agentId('The agent who had it before; null when it came from the queue.')),
    }),
  },
  'conversation.released': {
    summary: 'The conversation went back to the queue.',
    interaction: false,
    data: t.object({
      agentId: agentId('The agent who had it.'),
      by: agentId('Who released it.'),
    }),
  },
  'conversation.agent.added': {
    summary: 'Another agent joined the conversation beside its own agent: they receive its events on their `agent:` topic too.',
    interaction: false,
    data: t.object({
      agentId: agentId('The agent added.'),
      by: agentId('Who added them.'),
    }),
  },
  'conversation.agent.removed': {
    summary: 'An added agent left the conversation (removed, or it was transferred to them); their `agent:` topic no longer receives its events.',
    interaction: false,
    data: t.object({
      agentId: agentId('The agent removed.'),
      by: agentId('Who removed them.'),
      reason: t.enum(['removed', 'transferred'], '`transferred`: they became the conversation’s own agent.'),
    }),
  },
  'conversation.transferred': {
    summary: 'The conversation — its chat, messages and live call — was handed to another agent or back to the queue.',
    interaction: false,
    data: t.object({
      fromAgentId: t.nullable(agentId('The agent who had it; null when it came from the queue.')),
      toAgentId: t.nullable(agentId('The agent who has it now; null when it went back to the queue.')),
      by: agentId('Who handed it over.'),
      callId: t.nullable(t.string('The live call that went with it (the new agent’s device was dialled into it); null when none.')),
    }),
  },
  'conversation.unattended': {
    summary: 'The conversation has waited in the queue longer than the tenant’s alert (sent once, on the tenant topic).',
    interaction: false,
    data: t.object({
      queuedAt: t.timestamp(),
      waitedSeconds: t.integer(),
      alertSeconds: t.integer('The tenant’s `unattendedAlertSeconds`.'),
    }),
  },
  'chat.linked': {
    summary: 'A chat session was linked to the conversation.',
    interaction: true,
    data: t.object({
      sessionId: t.string('The chat’s `sessionId`.'),
      origin: t.nullable(t.string('Where the chat runs: `web` or `mobile`.')),
    }),
  },
  'chat.ended': {
    summary: 'The linked chat ended.',
    interaction: true,
    data: t.anyOf([
      t.object({ sessionId: t.string('The chat’s `sessionId`.'), endReason: t.literal('completed') }, {}, 'Ended by `POST /v1/conversations/{id}/chat/end`.'),
      ENDED_BY_WRAP_UP,
    ]),
  },
  'call.initiated': {
    summary: 'A click-to-call was accepted and is being placed.',
    interaction: true,
    data: t.object({
      to: t.string('The customer’s number.'),
      agentEndpoint: t.string('The agent’s device: a sip: URI, an E.164 number or user:<name>.'),
      provider: t.string('The voice provider placing the call.'),
      consent: t.nullable(t.object({ via: t.string(), at: t.timestamp() }, {}, 'How and when the customer agreed to be called.')),
    }),
  },
  'call.incoming': {
    summary: 'A customer called one of the tenant’s numbers; the call rings on its agent’s console, or waits in the queue.',
    interaction: true,
    data: t.object({
      from: t.string('The caller’s number.'),
      to: t.string('The tenant’s number they dialled.'),
      provider: t.string('The voice provider the call came through.'),
      direction: t.literal('inbound'),
      offeredTo: t.nullable(agentId('The agent whose console rings; null: the call waits in the queue for any agent.')),
      ringNoAnswerSeconds: t.integer('How long it rings on that agent before it goes back to the queue (RONA).'),
    }),
  },
  'call.requeued': {
    summary: 'The agent an inbound call rang on did not answer in time (RONA): the call waits in the queue again.',
    interaction: true,
    data: t.object({
      agentId: agentId('The agent who let it ring out (now marked away).'),
      ringNoAnswerSeconds: t.integer(),
    }),
  },
  'call.voicemail': {
    summary: 'Nobody answered an inbound call within the tenant’s queueTimeoutSeconds: the caller is offered voicemail. Their message follows as `recording.available` with the same recordingId.',
    interaction: true,
    data: t.object({
      recordingId: t.string('The recording that will hold the caller’s message.'),
      queueTimeoutSeconds: t.integer(),
    }),
  },
  'callback.requested': {
    summary: 'A caller whose queue wait timed out asked to be called back (tenant policy queueTimeoutOffer): a callback task waits for the next available agent (`GET /v1/callbacks`).',
    interaction: false,
    data: t.object({
      callbackId: t.string(),
      callId: t.string('The inbound call the caller asked during.'),
      number: t.string('Whom to call back: the caller’s number (E.164).'),
    }),
  },
  'callback.assigned': {
    summary: 'A callback task went to an available agent (the conversation’s agent if available, else the next one); sent to that agent, who places it with `POST /v1/callbacks/{id}/dial`.',
    interaction: false,
    data: t.object({
      callbackId: t.string(),
      agentId: agentId('The agent it is assigned to.'),
      number: t.string('Whom to call back.'),
    }),
  },
  'callback.released': {
    summary: 'A callback task’s agent stayed offline past `routing.callbackOfflineGraceMs`: the task is pending again and goes to the next available agent (`callback.assigned`). Sent to the agent who had it.',
    interaction: false,
    data: t.object({
      callbackId: t.string(),
      agentId: agentId('The agent who had it.'),
      offlineSeconds: t.integer('How long the agent had been offline.'),
    }),
  },
  'callback.dialed': {
    summary: 'A callback task was placed: a click-to-call to the caller’s number in the same conversation.',
    interaction: false,
    data: t.object({
      callbackId: t.string(),
      callId: t.string('The outbound call placed for it.'),
      by: agentId('Who dialed it.'),
    }),
  },
  'callback.canceled': {
    summary: 'A callback task was canceled before it was dialed.',
    interaction: false,
    data: t.object({
      callbackId: t.string(),
      by: agentId('Who canceled it.'),
    }),
  },
  'call.accepted': {
    summary: 'An agent answered an inbound call from the console; their device is being connected (every other console stops ringing).',
    interaction: true,
    data: t.object({
      agentId: agentId('The agent who answered.'),
      agentEndpoint: t.string('Their device the call is connected to.'),
    }),
  },
  'call.ringing': callStep('The customer’s phone is ringing.'),
  'call.answered': callStep('The customer answered; the agent is bridged to them.'),
  'call.held': callStep('The agent put the call on hold.'),
  'call.resumed': callStep('The agent took the call off hold.'),
  'call.muted': callStep('The agent’s microphone was muted.'),
  'call.unmuted': callStep('The agent’s microphone was unmuted.'),
  'call.ended': {
    summary: 'The call ended after it was answered, or was hung up, or was ended by wrap-up.',
    interaction: true,
    data: t.anyOf([CALL_STATUS, ENDED_BY_WRAP_UP]),
  },
  'call.failed': callStep('The attempt failed before anyone answered.'),
  'call.participant.joined': {
    summary: 'A party’s leg answered and joined the call (a consulted colleague, an added party, a supervisor listening).',
    interaction: true,
    data: PARTICIPANT,
  },
  'call.participant.left': {
    summary: 'A party left the call: removed, hung up, did not answer (the reason says which), or the call ended.',
    interaction: true,
    data: PARTICIPANT,
  },
  'call.participant.updated': {
    summary: 'A party is being dialled or rings, was held or taken off hold, took over the customer, or a supervisor changed mode.',
    interaction: true,
    data: PARTICIPANT,
  },
  'sms.queued': {
    summary: 'An outbound message was recorded and is being handed to the provider.',
    interaction: true,
    data: t.object({
      to: t.string('The recipient’s number.'),
      segments: t.integer(),
      encoding: t.enum(ENCODINGS),
      mediaCount: t.integer('How many media URLs it carries (MMS).'),
    }),
  },
  'sms.sent': smsStatus('The provider sent the message.'),
  'sms.delivered': smsStatus('The message was delivered.'),
  'sms.undelivered': smsStatus('The message could not be delivered.'),
  'sms.failed': smsStatus('The provider refused or failed to send the message.'),
  'sms.received': {
    summary: 'A customer’s message came in.',
    interaction: true,
    data: t.object({
      from: t.string('The customer’s number.'),
      to: t.string('The tenant’s number it was sent to.'),
      body: t.string(),
      segments: t.integer(),
      encoding: t.enum(ENCODINGS),
      mediaCount: t.integer(),
      attachments: t.array(t.object({
        id: t.string(),
        contentType: t.string(),
        href: t.string('Where to fetch it: `/v1/attachments/{id}` (with a token).', 'uri-reference'),
      })),
    }),
  },
  'contact.opted_out': {
    summary: 'The contact texted a STOP-style keyword: no more SMS to them.',
    interaction: false,
    data: OPT_KEYWORD,
  },
  'contact.opted_in': {
    summary: 'The contact texted a START-style keyword after opting out.',
    interaction: false,
    data: OPT_KEYWORD,
  },
  'agent.status': {
    summary: 'An agent was marked away (an inbound call rang out on them: RONA) or made themselves available or away.',
    interaction: false,
    data: t.object({
      agentId: t.string(),
      status: t.enum(['available', 'away']),
      reason: t.enum(['rona', 'agent'], '`rona`: a call rang out unanswered; `agent`: the agent said so.'),
    }),
  },
  'agent.presence': {
    summary: 'An agent came online (opened a socket) or went offline (their last socket closed, or their instance stopped renewing).',
    interaction: false,
    data: t.object({
      agentId: t.string(),
      status: t.enum(['online', 'offline']),
    }),
  },
  'recording.started': recordingStep('The call is being recorded (by an agent’s or supervisor’s command, or the tenant’s `always` policy).'),
  'recording.paused': recordingStep('The recording was paused (e.g. while the customer gives card details); live audio streams pause with it.'),
  'recording.resumed': recordingStep('The recording was resumed.'),
  'recording.stopped': recordingStep('The recording was stopped; its file follows as `recording.available`.'),
  'recording.available': {
    summary: 'A finished recording can be played: `GET /v1/recordings/{id}` (HTTP Range supported).',
    interaction: true,
    data: t.named('RecordingFile', t.object({
      recordingId: t.string(),
      href: t.string('Where to fetch it (with the bearer token).', 'uri-reference'),
      contentType: t.string('`audio/wav`.'),
      channels: t.integer('2: the customer on the left channel, the agent on the right.'),
      durationMs: t.integer('How long the file plays.'),
      size: t.integer('Bytes.'),
    })),
  },
  'tenant.updated': {
    summary: 'An admin changed the tenant’s settings, policies or numbers (`/v1/admin/tenants/{id}`), its API keys or its own provider credentials (`/v1/admin/…`); every instance applies it. Sent to admins only.',
    interaction: false,
    data: t.object({
      version: t.integer('The settings’ version after the change (GET /v1/admin/tenants/{id} answers it).'),
      changed: t.array(t.string(), 'What changed: `name`, `smsProvider`, `policies.<name>`, `numbers`, `apiKeys`, `credentials.<provider>`, ...'),
      by: t.string('The admin who made the change (their agent id).'),
    }),
  },
} as const satisfies Record<string, EventDefinition<unknown>>;

export type EventCatalogue = typeof EVENT_CATALOGUE;
export type EventType = keyof EventCatalogue;
/** The `data` of an event of type `T`. */
export type EventData<T extends EventType> = Infer<EventCatalogue[T]['data']>;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, value);
}

/**
 * An event to append to the tenant's log, in the same transaction as the change it describes.
 * A union over the catalogue: `type` picks the shape of `data`. (`interaction` is not enforced
 * here: an intersection per type would stop TypeScript from matching events whose type is itself
 * a union, like a call step's; the AsyncAPI test checks it on the wire instead.)
 */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: {
    type: K;
    conversationId: string | null;
    interactionId?: string | null;
    agentId?: string | null;
    data: EventData<K>;
  };
}[T];
