import type { Principal } from '../../common/auth/principal';
import type { LogEntry } from './event';
import { AddedAgentRoster, decodeEventCursor, encodeEventCursor, matchTopic, parseTopic, refusal, type Topic } from './topics';

const agent: Principal = { agentId: 'alice', tenantId: 't', roles: ['agent'], pii: false };
const supervisor: Principal = { agentId: 'sam', tenantId: 't', roles: ['supervisor'], pii: false };

describe('topics', () => {
  it.each([
    ['tenant', { kind: 'tenant', name: 'tenant' }],
    ['conversation:01ARZ3NDEKTSV4RRFFQ69G5FAV', { kind: 'conversation', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'conversation:01ARZ3NDEKTSV4RRFFQ69G5FAV' }],
    ['agent:alice', { kind: 'agent', id: 'alice', name: 'agent:alice' }],
    ['queue', { kind: 'queue', name: 'queue' }],
  ])('parses %s', (name, topic) => expect(parseTopic(name)).toEqual(topic));

  it.each([['tenants'], ['conversation:'], ['agent'], ['call:1'], ['agent:a b'], [42], [null], ['conversation:' + 'x'.repeat(201)]])(
    'refuses %j', (name) => expect(parseTopic(name)).toBeUndefined(),
  );

  it.each<[Principal, string, boolean]>([
    [agent, 'agent:alice', true],
    [agent, 'agent:bob', false],
    [agent, 'tenant', false],
    [agent, 'conversation:c1', true],
    [supervisor, 'agent:bob', true],
    [supervisor, 'tenant', true],
    [{ ...agent, roles: ['admin'] }, 'tenant', true],
    [{ ...agent, roles: [] }, 'agent:alice', false],
    [{ ...agent, roles: [] }, 'conversation:c1', false],
    [agent, 'queue', true],
    [supervisor, 'queue', true],
    [{ ...agent, roles: [] }, 'queue', false],
  ])('authorises %j on %s: %s', (principal, name, allowed) => {
    expect(refusal(principal, parseTopic(name)!) === undefined).toBe(allowed);
  });

  const event = (over: Partial<LogEntry>): LogEntry => ({
    tenantId: 't', seq: 1, id: 'e', type: 'x', conversationId: 'c1', interactionId: null, agentId: 'alice', at: '', data: {}, ...over,
  });
  const topics = (...names: string[]) => new Map<string, Topic>(names.map((n) => [n, parseTopic(n)!]));

  it.each<[string[], Partial<LogEntry>, string | undefined]>([
    [['conversation:c1'], {}, 'conversation:c1'],
    [['conversation:c2'], {}, undefined],
    [['agent:alice'], {}, 'agent:alice'],
    [['agent:bob'], {}, undefined],
    [['tenant', 'agent:alice', 'conversation:c1'], {}, 'conversation:c1'],
    [['tenant', 'agent:alice'], {}, 'agent:alice'],
    [['tenant'], { conversationId: null, agentId: null }, 'tenant'],
    [['queue'], { agentId: null }, 'queue'],
    [['queue', 'tenant'], { agentId: null }, 'queue'],
    [['queue', 'tenant'], {}, 'tenant'],
    [['queue'], {}, undefined],
    [['queue'], { conversationId: null, agentId: null }, undefined],
    [['queue'], { type: 'conversation.assigned' }, 'queue'],
    [['queue'], { type: 'conversation.released' }, 'queue'],
    [['queue', 'agent:alice'], { type: 'conversation.assigned' }, 'agent:alice'],
    [['agent:alice'], { agentId: null }, undefined],
  ])('an event of %j with %j goes out once, as %s', (names, over, expected) => {
    expect(matchTopic(event(over), topics(...names))).toBe(expected);
  });

  const added = new Map([['c1', new Set(['bob', 'carl'])]]);
  it.each<[string[], Partial<LogEntry>, string | undefined]>([
    [['agent:bob'], {}, 'agent:bob'],
    [['agent:carl'], {}, 'agent:carl'],
    [['agent:dan'], {}, undefined],
    [['agent:bob'], { conversationId: 'c2' }, undefined],
    [['agent:bob'], { conversationId: null }, undefined],
    [['agent:alice', 'agent:bob'], {}, 'agent:alice'],
    [['conversation:c1', 'agent:bob'], {}, 'conversation:c1'],
    [['agent:bob', 'queue'], { agentId: null }, 'agent:bob'],
    [['agent:bob', 'tenant'], {}, 'agent:bob'],
  ])('with bob and carl added to c1, an event of %j with %j goes out once, as %s', (names, over, expected) => {
    expect(matchTopic(event(over), topics(...names), added)).toBe(expected);
  });

  describe('the roster of added agents', () => {
    const change = (type: string, conversationId: string, agentId: string) => ({ type, conversationId, data: { agentId } });
    const members = (roster: AddedAgentRoster) => [...roster.byConversation].map(([c, agents]) => [c, [...agents].sort()]);

    it('starts from the store and follows the added and removed events of its agents only', async () => {
      const roster = new AddedAgentRoster();
      await roster.follow('bob', async () => ['c1']);
      roster.apply(change('conversation.agent.added', 'c2', 'bob'));
      roster.apply(change('conversation.agent.added', 'c3', 'dan'));
      roster.apply(change('conversation.agent.removed', 'c1', 'bob'));
      roster.apply(change('sms.queued', 'c4', 'bob'));
      expect(members(roster)).toEqual([['c2', ['bob']]]);
      roster.forget('bob');
      roster.apply(change('conversation.agent.added', 'c5', 'bob'));
      expect(members(roster)).toEqual([]);
    });

    it('applies the changes offered while the store is read after what it read, so none is lost or undone', async () => {
      const roster = new AddedAgentRoster();
      let release: (ids: string[]) => void = () => undefined;
      const following = roster.follow('bob', () => new Promise<string[]>((resolve) => (release = resolve)));
      // Committed after the read: an adding the read missed, and a removal of what it still found.
      roster.apply(change('conversation.agent.added', 'c2', 'bob'));
      roster.apply(change('conversation.agent.removed', 'c1', 'bob'));
      release(['c1', 'c3']);
      await following;
      expect(members(roster)).toEqual([['c3', ['bob']], ['c2', ['bob']]]);
    });

    it('tells the adding apart: the added agent hears of it, a removed one hears of their removal before leaving', () => {
      expect([AddedAgentRoster.adds('conversation.agent.added'), AddedAgentRoster.adds('conversation.agent.removed')]).toEqual([true, false]);
    });
  });

  it('round-trips cursors and refuses foreign ones', () => {
    expect(decodeEventCursor(encodeEventCursor(42))).toBe(42);
    for (const bad of ['', '-1', '01', '1.5', 'abc', 42, null, '99999999999999999']) expect(decodeEventCursor(bad)).toBeUndefined();
  });
});
