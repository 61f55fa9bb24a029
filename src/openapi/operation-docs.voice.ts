/* eslint-disable @typescript-eslint/no-explicit-any */
import type { OperationDoc } from './operation-docs';

type Json = Record<string, any>;

/*
 * Reference text for the inbound-call, participant, recording and agent-device routes. Their
 * handlers may carry the same with `@ApiDoc()` instead; a handler's own doc wins over this table.
 * Schemas of views still taking shape say what a client may rely on and allow more.
 */
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const open = (properties: Json, required: string[]): Json => ({ type: 'object', required, properties, additionalProperties: true });

export const VOICE_RESPONSE_SCHEMAS: Record<string, Json> = {
  AgentProfile: open({
    agentId: { type: 'string' },
    endpoint: nullable({ type: 'string', description: 'Where the agent’s calls ring; null: nowhere yet.' }),
    endpointSource: nullable({ enum: ['api', 'seed'] }),
    status: { enum: ['available', 'away'] },
    awaySince: nullable({ type: 'string', format: 'date-time' }),
  }, ['agentId', 'endpoint', 'status']),
  Recording: open({
    id: { type: 'string' }, callId: { type: 'string' }, conversationId: { type: 'string' }, provider: { type: 'string' },
    state: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' }, endedAt: nullable({ type: 'string', format: 'date-time' }),
    href: nullable({ type: 'string', description: 'Set once the file is available: GET it (Range supported).' }),
    contentType: nullable({ type: 'string' }), durationMs: nullable({ type: 'integer' }),
  }, ['id', 'callId', 'state', 'href']),
  RecordingList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Recording') } } },
  AudioStream: open({
    id: { type: 'string' }, callId: { type: 'string' }, url: { type: 'string' },
    tracks: { type: 'array', items: { enum: ['customer', 'agent'] } }, format: { enum: ['tracks', 'stereo'] }, sampleRate: { enum: [8000, 16000] },
    state: { enum: ['streaming'] }, startedAt: { type: 'string', format: 'date-time' },
    keyId: { type: 'string', description: 'The `kid` of the key that signed the receiver’s token (GET /v1/streams/keys).' },
  }, ['id', 'callId', 'url', 'tracks', 'format', 'sampleRate', 'state', 'keyId']),
  AudioStreamList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('AudioStream') } } },
  StreamKeys: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
  Callback: open({
    id: { type: 'string' }, conversationId: { type: 'string' }, contactId: { type: 'string' },
    callId: { type: 'string', description: 'The inbound call the caller asked during.' },
    number: { type: 'string', description: 'Whom to call back: the caller’s number (masked for agents where the tenant masks).' },
    state: { enum: ['pending', 'assigned', 'dialed', 'canceled'] },
    agentId: nullable({ type: 'string', description: 'The agent it is assigned to (or who dialed it); null while pending.' }),
    dialedCallId: nullable({ type: 'string', description: 'The call placed for it.' }),
    closedBy: nullable({ type: 'string', description: 'Who dialed or canceled it.' }),
    requestedAt: { type: 'string', format: 'date-time' }, assignedAt: nullable({ type: 'string', format: 'date-time' }), closedAt: nullable({ type: 'string', format: 'date-time' }),
  }, ['id', 'conversationId', 'callId', 'number', 'state', 'agentId', 'dialedCallId', 'requestedAt']),
  CallbackList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Callback') } } },
  DialedCallback: { allOf: [ref('Callback'), { type: 'object', required: ['call'], properties: { call: ref('Call') } }] },
  SimulatedCall: open({ callId: { type: 'string' }, conversationId: { type: 'string' }, greeting: { type: 'string' }, holdMusicUrl: nullable({ type: 'string' }) }, ['callId', 'conversationId']),
};

const CALL = {
  id: '01JE8Z4B2C0000000000000002', channel: 'voice', direction: 'inbound', state: 'answered', provider: 'simulator', providerRef: 'sim-call-2',
  from: '+447966197542', to: '+14155550100', origin: null, endReason: null, startedAt: '2026-12-04T09:01:00.000Z', endedAt: null,
  conversationId: '01JE8Z3K5V0000000000000000', agentEndpoint: 'user:alice', callerId: '+14155550100', muted: false,
  answeredAt: '2026-12-04T09:01:05.000Z', durationSeconds: 42, holdSeconds: 0, talkSeconds: 42, consent: null, steps: [],
  attempts: [], failure: null,
};
const PROFILE = { agentId: 'alice', endpoint: 'user:alice', endpointSource: 'api', status: 'available', awaySince: null };
const RECORDING = {
  id: '01JE8Z7R0000000000000000RC', callId: CALL.id, conversationId: CALL.conversationId, provider: 'simulator', state: 'available', pauseBehavior: 'silence',
  startedAt: '2026-12-04T09:01:06.000Z', endedAt: '2026-12-04T09:02:00.000Z', availableAt: '2026-12-04T09:02:01.000Z',
  href: '/v1/recordings/01JE8Z7R0000000000000000RC', contentType: 'audio/wav', channels: 2, durationMs: 54000,
};
const STREAM = {
  id: '01JE8Z7S0000000000000000ST', callId: CALL.id, url: 'wss://asr.example.com/calls', tracks: ['customer', 'agent'], format: 'tracks',
  sampleRate: 16000, state: 'streaming', startedAt: '2026-12-04T09:01:10.000Z', keyId: 'Zq3b0f0hCIRVSZQ0',
};
const CALLBACK = {
  id: '01JE8Z7C0000000000000000CB', conversationId: CALL.conversationId, contactId: '01JE8Z3K5V0000000000000001', callId: CALL.id, number: '+447966197542',
  state: 'assigned', agentId: 'alice', dialedCallId: null, closedBy: null, requestedAt: '2026-12-04T09:03:00.000Z', assignedAt: '2026-12-04T09:03:01.000Z', closedAt: null,
};
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const callDoc = (summary: string, description: string, requestExample?: unknown): OperationDoc => ({ summary, description, response: ref('Call'), requestExample, responseExample: CALL });

export const VOICE_OPERATION_DOCS: Record<string, OperationDoc> = {
  'get /v1/callbacks': { summary: 'Callback tasks', description: 'Callbacks asked for by inbound callers whose queue wait timed out (tenant policy `queueTimeoutOffer`), newest first; `state` filters. An agent sees theirs and the pending ones, a supervisor or admin all of the tenant’s. Numbers follow the tenant’s masking.', response: ref('CallbackList'), responseExample: { items: [CALLBACK] } },
  'get /v1/callbacks/{id}': { summary: 'A callback task', description: 'One callback task of the tenant (404 for another tenant’s).', response: ref('Callback'), responseExample: CALLBACK },
  'post /v1/callbacks/{id}/dial': { summary: 'Call the caller back', description: 'The assigned agent (or a supervisor or admin, whose device then rings) places the callback: a click-to-call from their device to the caller’s number in the task’s conversation. Of any number of concurrent requests one places the call; the others get 409, as does a task not assigned to the caller, dialed or canceled.', response: ref('DialedCallback'), responseExample: { ...CALLBACK, state: 'dialed', dialedCallId: '01JE8Z4B2C0000000000000009', closedBy: 'alice', closedAt: '2026-12-04T09:05:00.000Z', call: { ...CALL, id: '01JE8Z4B2C0000000000000009', direction: 'outbound', state: 'initiating', from: '+14155550100', to: '+447966197542', answeredAt: null } } },
  'post /v1/callbacks/{id}/cancel': { summary: 'Cancel a callback', description: 'Its assigned agent, or a supervisor or admin, cancels a task not yet dialed (409 otherwise).', response: ref('Callback'), responseExample: { ...CALLBACK, state: 'canceled', closedBy: 'alice', closedAt: '2026-12-04T09:05:00.000Z' } },
  'post /webhooks/twilio/voice/queue-choice': { summary: 'Twilio: the caller’s choice', description: 'The `<Gather numDigits="1">` action of the queue timeout’s question (signed by Twilio, the URL signed by the gateway for the call): `Digits` 2 asks for a callback (TwiML: the confirmation, then hang up); 1, any other key or none (the `<Redirect>` after the gather) a voicemail (TwiML: the prompt and `<Record>`).', response: { type: 'string' }, responseMedia: 'text/xml', requestExample: 'CallSid=CA123&Digits=2', responseExample: '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you. An agent will call you back as soon as one is free. Goodbye.</Say><Hangup/></Response>' },
  'post /webhooks/jambonz/call/queue-choice': { summary: 'jambonz: the queue timeout’s question', description: 'Where the gateway redirects a waiting caller’s leg when the queue times out with `queueTimeoutOffer: choice` (live call control `call_hook`, the URL signed by the gateway with the call and prompt; the body signed by jambonz): a `gather` of one key whose actionHook is `/webhooks/jambonz/call/queue-choice/digits`.', response: ref('JambonzVerbs'), requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', direction: 'inbound', call_status: 'in-progress' }, responseExample: [{ verb: 'gather', input: ['digits'], numDigits: 1, timeout: 8, actionHook: { url: 'https://gateway.example.com/webhooks/jambonz/call/queue-choice/digits?cid=c1&sig=…', method: 'POST' }, say: { text: 'To leave a message, press 1. To be called back, press 2.' } }] },
  'post /webhooks/jambonz/call/queue-choice/digits': { summary: 'jambonz: the caller’s choice', description: 'The gather’s actionHook (URL signed by the gateway for the call, body by jambonz): `digits` 2 asks for a callback (verbs: the confirmation, then hang up); 1, any other key or none (a timeout) a voicemail (the prompt and a `listen` of the message).', response: ref('JambonzVerbs'), requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', digits: '2', reason: 'dtmfDetected' }, responseExample: [{ verb: 'say', text: 'Thank you. An agent will call you back as soon as one is free. Goodbye.' }, { verb: 'hangup' }] },
  'post /webhooks/jambonz/call/callback-confirm': { summary: 'jambonz: callback confirmation', description: 'Where the gateway redirects a waiting caller’s leg when the queue times out with `queueTimeoutOffer: callback` (URL signed by the gateway with the call and prompt, body by jambonz): the confirmation, then hang up.', response: ref('JambonzVerbs'), requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', direction: 'inbound', call_status: 'in-progress' }, responseExample: [{ verb: 'say', text: 'Thank you. An agent will call you back as soon as one is free. Goodbye.' }, { verb: 'hangup' }] },
  'get /v1/agents/me/profile': { summary: 'My agent profile', description: 'The caller’s device (where their calls ring) and whether they are available for inbound calls.', response: ref('AgentProfile'), responseExample: PROFILE },
  'put /v1/agents/me/status': { summary: 'Set my availability', description: '`available` again after a ring-no-answer (or `away`): inbound calls ring only on available agents.', response: ref('AgentProfile'), requestExample: { status: 'available' }, responseExample: PROFILE },
  'get /v1/agents/{agentId}/device': { summary: 'An agent’s device', description: 'The agent’s profile: their device and availability.', response: ref('AgentProfile'), responseExample: PROFILE },
  'put /v1/agents/{agentId}/device': { summary: 'Set an agent’s device', description: 'Where the agent’s calls ring (a `sip:` URI, an E.164 number or `user:<name>`, within the tenant’s `agentEndpoints`).', response: ref('AgentProfile'), requestExample: { endpoint: 'user:alice' }, responseExample: PROFILE },
  'delete /v1/agents/{agentId}/device': { summary: 'Clear an agent’s device', description: 'Removes the device set through the API; the tenant’s configured one, if any, applies again.' },
  'post /v1/calls/{id}/answer': callDoc('Answer an inbound call', 'The console’s answer button: the agent’s device is connected to the caller. 200 for the one agent who wins, 409 for every other.'),
  'post /v1/calls/{id}/consult': callDoc('Consult', 'Holds the customer and rings `to`; the agent and the consulted party talk privately.', { to: 'user:bob' }),
  'post /v1/calls/{id}/consult/complete': callDoc('Complete the transfer', 'The consulted party takes the customer; the agent leaves the call.'),
  'post /v1/calls/{id}/consult/merge': callDoc('Merge into a conference', 'The customer, the agent and the consulted party talk together.'),
  'post /v1/calls/{id}/consult/cancel': callDoc('Cancel the consultation', 'The consulted party is dropped; the agent is back with the customer.'),
  'post /v1/calls/{id}/participants': callDoc('Add a participant', 'Brings another agent (`role: agent`) or a consulted party into the call.', { to: 'user:bob', role: 'agent' }),
  'delete /v1/calls/{id}/participants/{pid}': callDoc('Remove a participant', 'Drops one participant from the call.'),
  'post /v1/calls/{id}/supervise': callDoc('Supervise a call', 'A supervisor listens (`monitor`), coaches the agent unheard by the customer (`whisper`) or joins (`barge`).', { endpoint: 'user:sue', mode: 'monitor' }),
  'patch /v1/calls/{id}/supervise': callDoc('Change my supervision mode', 'Changes the mode of the supervising party the caller brought in.', { mode: 'whisper' }),
  'patch /v1/calls/{id}/supervise/{pid}': callDoc('Change a supervisor’s mode', 'Changes the mode of one supervising party.', { mode: 'barge' }),
  'post /v1/calls/{id}/recording': { summary: 'Control the recording', description: '`start`, `pause` (e.g. while the customer gives card details), `resume` or `stop`: the recording as it is after the command.', response: ref('Recording'), requestExample: { action: 'pause' }, responseExample: { ...RECORDING, state: 'paused', href: null } },
  'post /v1/calls/{id}/streams': { summary: 'Push the call’s audio to a receiver', description: 'Connects to the receiver’s WebSocket (`wss:` on a public host in production) presenting `Authorization: Bearer <token>`, an EdDSA JWT whose audience is the URL and subject the call, verifiable with GET /v1/streams/keys; then sends the live audio in the format of GET /v1/calls/{id}/audio. 201 once the receiver accepted; 502 when it refused or did not answer; 409 for a call not answered or with 4 streams already.', response: ref('AudioStream'), requestExample: { url: 'wss://asr.example.com/calls', tracks: ['customer', 'agent'], format: 'tracks', sampleRate: 16000 }, responseExample: STREAM },
  'get /v1/calls/{id}/streams': { summary: 'A call’s pushed streams', description: 'The streams this instance pushes for the call.', response: ref('AudioStreamList'), responseExample: { items: [STREAM] } },
  'delete /v1/calls/{id}/streams/{streamId}': { summary: 'Stop a pushed stream', description: 'Sends the receiver `stop` and closes the socket (1000).' },
  'get /v1/streams/keys': { summary: 'Keys that sign stream tokens', description: 'The gateway’s public key(s) as a JWK Set: a stream’s receiver verifies the bearer token with it (no shared secret).', response: ref('StreamKeys'), responseExample: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'Zq3b0f0hCIRVSZQ0', alg: 'EdDSA', use: 'sig' }] } },
  'get /v1/calls/{id}/recordings': { summary: 'A call’s recordings', description: 'The call’s recordings, oldest first.', response: ref('RecordingList'), responseExample: { items: [RECORDING] } },
  'get /v1/recordings/{id}': { summary: 'Play a recording', description: 'The audio file, with HTTP Range (206) so a browser’s `<audio>` can seek; 416 for a range it cannot serve.', response: { type: 'string', format: 'binary' }, responseMedia: 'audio/wav', responseExample: '(WAV bytes)' },
  'delete /v1/recordings/{id}': { summary: 'Delete a recording', description: 'Deletes the recording and its file.' },
  'post /v1/simulator/inbound-call': { summary: 'Simulate a customer calling in', description: 'Plays a customer calling one of the tenant’s numbers through the simulator voice provider.', response: ref('SimulatedCall'), requestExample: { from: '+447966197542', to: '+14155550100', digits: '2' }, responseExample: { callId: CALL.id, conversationId: CALL.conversationId, greeting: 'Thank you for calling.', holdMusicUrl: null } },
  'post /webhooks/twilio/voice/incoming': { summary: 'Twilio: incoming call', description: 'Twilio’s voice webhook for a call to one of the tenant’s numbers (signed): TwiML that greets the caller and holds them until an agent answers.', response: { type: 'string' }, responseMedia: 'text/xml', requestExample: 'CallSid=CA123&From=%2B447966197542&To=%2B14155550100', responseExample: TWIML },
  'post /webhooks/twilio/voice/hold': { summary: 'Twilio: hold music', description: 'TwiML Twilio fetches while the caller waits (signed).', response: { type: 'string' }, responseMedia: 'text/xml', responseExample: TWIML },
  'post /webhooks/twilio/voice/voicemail-done': { summary: 'Twilio: voicemail recorded', description: 'Where Twilio goes once the caller has left a voicemail after the queue timeout (`<Record action>`, signed for the call): TwiML that hangs up. The recording itself arrives at the recording-status webhook.', response: { type: 'string' }, responseMedia: 'text/xml', requestExample: 'CallSid=CA123&RecordingSid=RE123&RecordingDuration=12', responseExample: '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>' },
  'post /webhooks/twilio/voice/participant': { summary: 'Twilio: participant status', description: 'Twilio’s status callback for a participant of a conference (signed).', requestExample: 'CallSid=CA456&StatusCallbackEvent=participant-join' },
  'post /webhooks/twilio/recording/status': { summary: 'Twilio: recording status', description: 'Twilio’s recording status callback (signed): the file is fetched and kept.', requestExample: 'RecordingSid=RE123&RecordingStatus=completed' },
  'post /webhooks/jambonz/call/voicemail': { summary: 'jambonz: voicemail hook', description: 'Where the gateway redirects a waiting caller’s leg when the queue times out (live call control `call_hook`, the URL signed by the gateway with the call, recording, prompt and length; the body signed by jambonz): the prompt (`say`), then a mono `listen` of the caller to the gateway’s `/webhooks/jambonz/listen` WebSocket (beep first, `maxLength`, `#` ends it), then `hangup`. The gateway stores the message when that listen closes.', response: ref('JambonzVerbs'), requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', direction: 'inbound', call_status: 'in-progress' }, responseExample: [{ verb: 'say', text: 'Please leave a message after the tone.' }, { verb: 'listen', url: 'wss://gateway.example.com/webhooks/jambonz/listen?cid=c1&rid=r1&sid=b8f7&sig=…', mixType: 'mono', sampleRate: 8000, maxLength: 120, playBeep: true, finishOnKey: '#' }, { verb: 'hangup' }] },
  'post /webhooks/jambonz/conference/join': { summary: 'jambonz: join the call’s conference', description: 'The call_hook (and, for the agent’s leg, the child_call_hook) of a leg the gateway moves or dials into the call’s conference, the URL signed by the gateway with the call, the participant (`customer`, `agent` or its id), its mode and the agent it coaches; the body signed by jambonz: the `conference` verb (`memberTag` the participant, `joinMuted` to monitor, `speakOnlyTo` to whisper), or `hangup` when the call is over.', response: ref('JambonzVerbs'), requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', direction: 'outbound', call_status: 'in-progress' }, responseExample: [{ verb: 'conference', name: 'call-c1', beep: false, memberTag: 'p1', startConferenceOnEnter: true, endConferenceOnExit: false, joinMuted: true, statusHook: { url: 'https://gateway.example.com/webhooks/jambonz/conference/status?cid=c1&sig=…', method: 'POST' }, statusEvents: ['join', 'leave'] }] },
  'post /webhooks/jambonz/conference/status': { summary: 'jambonz: conference status', description: 'The statusHook of a call’s conference (signed): `join` and `leave` of each member’s leg (`call_sid`).', requestExample: { event: 'join', conference_sid: 'conf:acc:call-c1', friendly_name: 'call-c1', call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', members: 2 } },
  'post /webhooks/jambonz/participant/status': { summary: 'jambonz: participant status', description: 'The call_status_hook of a party’s leg the gateway dialled into a call’s conference (signed for the call and the participant).', requestExample: { call_sid: 'b8f7c0a4-55c1-4d0e-9a3f-6c2e1d7a9b10', call_status: 'no-answer', sip_status: 480 } },
  'post /webhooks/jambonz/call/incoming': { summary: 'jambonz: incoming call', description: 'jambonz’s call_hook for a call to one of the tenant’s numbers (signed): verbs that greet the caller and hold them until an agent answers.', response: ref('JambonzVerbs'), requestExample: { call_sid: 'abc', from: '+447966197542', to: '+14155550100', direction: 'inbound' }, responseExample: [{ verb: 'say', text: 'Thank you for calling.' }] },
};
