import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import type { Conversation, ConversationStatus, Interaction } from './conversation';
import { endChat, wrapUp } from './conversation-state';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:05:00.000Z';

const conversation = (status: ConversationStatus): Conversation => ({
  id: 'c1', tenantId: 't', contactId: 'p1', status, agentId: 'a1', context: null,
  disposition: null, notes: null, createdAt: T0, updatedAt: T0, closedAt: null, lastActivityAt: T0,
});

const interaction = (id: string, channel: Interaction['channel'], state: string): Interaction => ({
  id, conversationId: 'c1', channel, direction: 'outbound', state, provider: null, providerRef: `${id}-ref`,
  from: null, to: null, origin: null, endReason: null, startedAt: T0, endedAt: null, updatedAt: T0,
});

describe('endChat', () => {
  it.each<[string, ConversationStatus, Interaction[], ConversationStatus, string[]]>([
    ['chat alone → wrap-up', 'active', [interaction('i1', 'chat', 'active')], 'wrap-up', ['chat.ended', 'conversation.updated']],
    ['chat beside a live call → stays active', 'active',
      [interaction('i1', 'chat', 'active'), interaction('i2', 'voice', 'answered')], 'active', ['chat.ended']],
    ['chat beside a held call → stays active', 'active',
      [interaction('i1', 'chat', 'active'), interaction('i2', 'voice', 'held')], 'active', ['chat.ended']],
    ['chat beside an ended call → wrap-up', 'active',
      [interaction('i1', 'chat', 'active'), interaction('i2', 'voice', 'ended')], 'wrap-up', ['chat.ended', 'conversation.updated']],
    ['chat of a conversation already in wrap-up', 'wrap-up', [interaction('i1', 'chat', 'active')], 'wrap-up', ['chat.ended']],
  ])('%s', (_name, status, interactions, expected, events) => {
    const result = endChat(conversation(status), interactions, T1);
    expect(result.changed).toBe(true);
    expect(result.conversation.status).toBe(expected);
    expect(result.conversation).toMatchObject({ lastActivityAt: T1, updatedAt: T1 });
    expect(result.events.map((e) => e.type)).toEqual(events);
    expect(result.interactions).toEqual([
      expect.objectContaining({ id: 'i1', state: 'ended', endReason: 'completed', endedAt: T1 }),
    ]);
  });

  it('is a no-op for a chat that already ended: nothing changes, nothing is emitted', () => {
    const result = endChat(conversation('wrap-up'), [interaction('i1', 'chat', 'ended')], T1);
    expect(result).toEqual({ changed: false, conversation: conversation('wrap-up'), interactions: [], events: [] });
  });

  it('refuses a conversation without a chat', () => {
    expect(() => endChat(conversation('active'), [interaction('i2', 'voice', 'answered')], T1))
      .toThrow(expect.objectContaining({ code: ErrorCode.Conflict }));
  });
});

describe('wrapUp', () => {
  it.each<[ConversationStatus, Interaction[], string[]]>([
    ['active', [interaction('i1', 'chat', 'active')], ['chat.ended', 'conversation.closed']],
    ['active', [interaction('i1', 'chat', 'active'), interaction('i2', 'voice', 'answered')], ['chat.ended', 'call.ended', 'conversation.closed']],
    ['active', [interaction('i1', 'chat', 'ended'), interaction('i2', 'sms', 'delivered')], ['conversation.closed']],
    ['wrap-up', [interaction('i1', 'chat', 'ended')], ['conversation.closed']],
    ['active', [], ['conversation.closed']],
  ])('from %s with %j ends what is live, then closes', (status, interactions, events) => {
    const result = wrapUp(conversation(status), interactions, { disposition: 'resolved', notes: 'sent summary' }, T1);
    expect(result.conversation).toMatchObject({ status: 'closed', disposition: 'resolved', notes: 'sent summary', closedAt: T1, lastActivityAt: T1 });
    expect(result.events.map((e) => e.type)).toEqual(events);
    for (const i of result.interactions) expect(i).toMatchObject({ state: 'ended', endReason: 'wrap-up' });
    expect(result.events.at(-1)!.data).toEqual({ status: 'closed', previousStatus: status, disposition: 'resolved' });
  });

  it('refuses to close a closed conversation again', () => {
    const call = () => wrapUp(conversation('closed'), [], { disposition: 'x', notes: null }, T1);
    expect(call).toThrow(DomainError);
    expect(call).toThrow('already closed');
  });
});
