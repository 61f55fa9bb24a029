import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { applyCommand, applyFact, initialStatus, type CallCommand, type CallFact, type CallStatus } from '../calls/domain/call-state';
import { contactView } from '../contacts/contact.view';
import type { Contact } from '../contacts/domain/contact';
import type { Conversation, Interaction } from '../conversations/domain/conversation';
import { endChat, openConversation, reopen, settle, wrapUp } from '../conversations/domain/conversation-state';
import type { Outbox } from './event-outbox.service';
import { EVENT_CATALOGUE, EVENT_TYPES, isEventType, type EventData, type NewEvent } from './domain/event-catalogue';

/*
 * Beside the domain rather than in it: it validates with Ajv and types the outbox.
 *
 * Type-level checks: `npm run typecheck` compiles this file, and each `@ts-expect-error` fails the
 * typecheck if the line below it compiles — that is, if the catalogue stopped refusing it.
 */
declare const outbox: Outbox;
export async function compileTimeChecks(): Promise<unknown[]> {
  const at = '2026-01-01T00:00:00.000Z';
  const fine: NewEvent = { type: 'agent.presence', conversationId: null, data: { agentId: 'a1', status: 'online' } };
  // @ts-expect-error an unknown type
  const unknownType: NewEvent = { type: 'call.exploded', conversationId: null, data: {} };
  // @ts-expect-error a payload of another type (agent.presence has no `by`)
  const otherPayload: NewEvent = { type: 'agent.presence', conversationId: null, data: { agentId: 'a1', by: 'sam' } };
  // @ts-expect-error a value outside the payload's enumeration
  const wrongValue: NewEvent = { type: 'agent.presence', conversationId: null, data: { agentId: 'a1', status: 'away' } };
  // @ts-expect-error a required field left out
  const missing: NewEvent = { type: 'sms.queued', conversationId: 'c1', data: { to: '+14155550100', segments: 1, encoding: 'GSM-7' } };
  // @ts-expect-error a field the payload does not have
  const extra: EventData<'conversation.released'> = { agentId: 'a1', by: 'sam', reason: 'lunch' };
  // @ts-expect-error appending an unknown type
  await outbox.append('t1', [{ type: 'sms.sending', conversationId: 'c1', data: {} }], at);
  // @ts-expect-error appending a wrong payload
  await outbox.append('t1', [{ type: 'conversation.assigned', conversationId: 'c1', data: { agentId: 'a1', by: 'sam' } }], at);
  await outbox.append('t1', [fine, { type: 'conversation.assigned', conversationId: 'c1', data: { agentId: 'a1', by: 'sam', previousAgentId: null } }], at);
  return [fine, unknownType, otherPayload, wrongValue, missing, extra];
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validators = Object.fromEntries(EVENT_TYPES.map((type) => [type, ajv.compile(EVENT_CATALOGUE[type].data)]));

/** The problems of each event against the catalogue: none when every payload is valid for its type. */
function problems(events: ReadonlyArray<{ type: string; data: unknown }>): unknown[] {
  return events.flatMap((event): unknown[] => {
    if (!isEventType(event.type)) return [{ type: event.type, problem: 'not in the catalogue' }];
    const validate = validators[event.type]!;
    return validate(event.data) ? [] : [{ type: event.type, data: event.data, errors: validate.errors }];
  });
}

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-01T00:05:00.000Z';
const contact: Contact = {
  id: 'k1', tenantId: 't1', name: null, phone: '+14155552671', email: null, externalId: null, optedOutAt: null, createdAt: AT, updatedAt: AT,
};
const interaction = (over: Partial<Interaction>): Interaction => ({
  id: 'i1', conversationId: 'c1', channel: 'chat', direction: 'inbound', state: 'active', provider: null, providerRef: 'session-1',
  from: null, to: null, origin: 'web', endReason: null, startedAt: AT, endedAt: null, updatedAt: AT, ...over,
});
const chat = interaction({});
const call = interaction({ id: 'i2', channel: 'voice', direction: 'outbound', state: 'answered', provider: 'simulator', providerRef: 'SIM-1', origin: null });

describe('the event catalogue', () => {
  it('has a summary and a schema Ajv compiles for every type', () => {
    expect(EVENT_TYPES.length).toBe(48);
    for (const type of EVENT_TYPES) expect(EVENT_CATALOGUE[type].summary).toMatch(/\.$/);
    expect(Object.keys(validators)).toEqual(EVENT_TYPES);
  });

  it('accepts the events of the conversation transitions, and refuses a payload that strays', () => {
    const { conversation, event } = openConversation({ id: 'c1', tenantId: 't1', contactId: 'k1', agentId: 'a1', context: null }, AT, { channel: 'chat', via: 'api' });
    const created: NewEvent = { ...event, data: { ...event.data, contact: contactView(contact) } };
    const ended = endChat(conversation, [chat], LATER);
    const wrapping: Conversation = ended.conversation;
    const reopened = reopen(wrapping, LATER);
    const settled = settle({ ...conversation }, [{ ...chat, state: 'ended' }], LATER);
    const closed = wrapUp(conversation, [chat, call], { disposition: 'resolved', notes: null }, LATER);
    const events = [created, ...ended.events, ...reopened.events, ...settled.events, ...closed.events];
    expect(events.map((e) => e.type)).toEqual([
      'conversation.created', 'chat.ended', 'conversation.updated', 'conversation.updated', 'conversation.updated',
      'chat.ended', 'call.ended', 'conversation.closed',
    ]);
    expect(problems(events)).toEqual([]);
    // The domain's own half of conversation.created lacks the contact, which callers must add.
    expect(problems([event])).toHaveLength(1);
    expect(problems([{ type: 'conversation.updated', data: { status: 'closed', previousStatus: 'active' } }])).toHaveLength(1);
    expect(problems([{ type: 'sms.sending', data: {} }])).toEqual([{ type: 'sms.sending', problem: 'not in the catalogue' }]);
  });

  it('names every call step the state machine publishes, with the call status as payload', () => {
    const facts: CallFact[] = [{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }, { kind: 'ended', reason: 'failed' }];
    const commands: CallCommand[] = ['hold', 'resume', 'mute', 'unmute', 'hangup'];
    const states: CallStatus[] = [
      initialStatus(),
      { ...initialStatus(), state: 'ringing' },
      { ...initialStatus(), state: 'answered', answeredAt: AT },
      { ...initialStatus(), state: 'held', answeredAt: AT },
      { ...initialStatus(), state: 'answered', answeredAt: AT, muted: true },
    ];
    const events: NewEvent[] = [];
    for (const status of states) {
      for (const fact of facts) {
        const step = applyFact(status, fact, LATER);
        const { state, muted, endReason } = step.status;
        events.push(...step.events.map((type) => ({ type, conversationId: 'c1', interactionId: 'i2', data: { state, muted, endReason, providerRef: 'SIM-1', direction: 'outbound' as const } })));
      }
      for (const command of commands) {
        let step;
        try {
          step = applyCommand(status, command, LATER);
        } catch {
          continue; // refused in this state
        }
        const { state, muted, endReason } = step.status;
        events.push(...step.events.map((type) => ({ type, conversationId: 'c1', interactionId: 'i2', data: { state, muted, endReason, providerRef: null, direction: 'inbound' as const } })));
      }
    }
    expect([...new Set(events.map((e) => e.type))].sort()).toEqual(
      ['call.answered', 'call.ended', 'call.failed', 'call.held', 'call.muted', 'call.resumed', 'call.ringing', 'call.unmuted'],
    );
    expect(problems(events)).toEqual([]);
  });
});
