import { ErrorCode } from '../../../common/errors/domain-error';
import { addRefusal, agentsOf, MAX_ADDED_AGENTS, removeRefusal, type AgentsSituation } from './conversation-agents';

const alice = { agentId: 'alice', supervises: false };
const sue = { agentId: 'sue', supervises: true };
const situation = (over: Partial<AgentsSituation>): AgentsSituation => ({
  by: alice, conversation: { agentId: 'alice', status: 'active' }, added: [], agentId: 'bob', ...over,
});
const ten = Array.from({ length: MAX_ADDED_AGENTS }, (_, i) => `agent${i}`);

describe('adding an agent to a conversation, every situation', () => {
  const table: Array<[string, Partial<AgentsSituation>, ErrorCode | undefined]> = [
    ['its agent adds a colleague', {}, undefined],
    ['its agent adds a third', { added: ['bob'], agentId: 'carl' }, undefined],
    ['a supervisor, someone else’s', { by: sue }, undefined],
    ['a supervisor, a queued one', { by: sue, conversation: { agentId: null, status: 'active' } }, undefined],
    ['another agent', { by: { agentId: 'carl', supervises: false } }, ErrorCode.Forbidden],
    ['an added agent brings in a third', { by: { agentId: 'bob', supervises: false }, added: ['bob'], agentId: 'carl' }, ErrorCode.Forbidden],
    ['an agent, a queued one', { conversation: { agentId: null, status: 'active' } }, ErrorCode.Forbidden],
    ['a closed one', { conversation: { agentId: 'alice', status: 'closed' } }, ErrorCode.Conflict],
    ['a wrap-up one', { conversation: { agentId: 'alice', status: 'wrap-up' } }, undefined],
    ['its own agent', { agentId: 'alice' }, ErrorCode.Conflict],
    ['one already added', { added: ['bob'] }, ErrorCode.Conflict],
    ['one too many', { added: ten }, ErrorCode.Unprocessable],
  ];
  it.each(table)('%s → %s', (_name, over, code) => {
    expect(addRefusal(situation(over))?.code).toBe(code);
  });
});

describe('removing an agent from a conversation, every situation', () => {
  const table: Array<[string, Partial<AgentsSituation>, ErrorCode | undefined]> = [
    ['its agent removes an added one', { added: ['bob'] }, undefined],
    ['a supervisor removes one', { by: sue, added: ['bob'] }, undefined],
    ['the added agent leaves', { by: { agentId: 'bob', supervises: false }, added: ['bob'] }, undefined],
    ['an added agent removes another', { by: { agentId: 'bob', supervises: false }, added: ['bob', 'carl'], agentId: 'carl' }, ErrorCode.Forbidden],
    ['a stranger', { by: { agentId: 'carl', supervises: false }, added: ['bob'] }, ErrorCode.Forbidden],
    ['its own agent, by a supervisor', { by: sue, agentId: 'alice' }, ErrorCode.Conflict],
    ['its own agent, by themselves', { agentId: 'alice' }, ErrorCode.Conflict],
    ['one never added', {}, ErrorCode.NotFound],
    ['from a closed one', { conversation: { agentId: 'alice', status: 'closed' }, added: ['bob'] }, undefined],
  ];
  it.each(table)('%s → %s', (_name, over, code) => {
    expect(removeRefusal(situation(over))?.code).toBe(code);
  });
});

describe('the agents a conversation view lists', () => {
  it.each<[string | null, string[], string[]]>([
    ['alice', [], ['alice']],
    ['alice', ['bob', 'carl'], ['alice', 'bob', 'carl']],
    [null, ['bob'], ['bob']],
    ['bob', ['bob', 'carl'], ['bob', 'carl']],
  ])('primary %s, added %j → %j', (primary, added, expected) => {
    expect(agentsOf(primary, added)).toEqual(expected);
  });
});
