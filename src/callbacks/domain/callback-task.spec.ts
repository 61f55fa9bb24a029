import { applyCallback, CALLBACK_STATES, callbackRefusal, nextAgent, type CallbackCommand, type CallbackState, type CallbackTask } from './callback-task';

const AT = '2026-12-04T10:00:00.000Z';
function task(state: CallbackState, agentId: string | null): CallbackTask {
  return {
    id: 'cb-1', tenantId: 'acme', conversationId: 'conv-1', contactId: 'c-1', callId: 'call-1', number: '+14155550123', state,
    agentId, dialedCallId: null, closedBy: null, requestedAt: AT, assignedAt: agentId ? AT : null, closedAt: null, updatedAt: AT,
  };
}

const alice = { agentId: 'alice', supervises: false };
const bob = { agentId: 'bob', supervises: false };
const sue = { agentId: 'sue', supervises: true };

describe('callback task: every state × command', () => {
  const commands: Record<string, CallbackCommand> = {
    'assign to alice': { kind: 'assign', agentId: 'alice' },
    'release (agent offline)': { kind: 'release' },
    'dial by alice': { kind: 'dial', actor: alice },
    'dial by bob': { kind: 'dial', actor: bob },
    'dial by supervisor': { kind: 'dial', actor: sue },
    'cancel by alice': { kind: 'cancel', actor: alice },
    'cancel by bob': { kind: 'cancel', actor: bob },
    'cancel by supervisor': { kind: 'cancel', actor: sue },
  };
  // The task's agent is alice once assigned.
  const expected: Record<CallbackState, Record<string, CallbackState | 'refused'>> = {
    pending: {
      'release (agent offline)': 'refused',
      'assign to alice': 'assigned', 'dial by alice': 'refused', 'dial by bob': 'refused', 'dial by supervisor': 'dialed',
      'cancel by alice': 'refused', 'cancel by bob': 'refused', 'cancel by supervisor': 'canceled',
    },
    assigned: {
      'release (agent offline)': 'pending',
      'assign to alice': 'refused', 'dial by alice': 'dialed', 'dial by bob': 'refused', 'dial by supervisor': 'dialed',
      'cancel by alice': 'canceled', 'cancel by bob': 'refused', 'cancel by supervisor': 'canceled',
    },
    dialed: Object.fromEntries(Object.keys(commands).map((c) => [c, 'refused'])),
    canceled: Object.fromEntries(Object.keys(commands).map((c) => [c, 'refused'])),
  };
  const cases = CALLBACK_STATES.flatMap((state) => Object.keys(commands).map((name) => [state, name, expected[state][name]!] as const));

  it.each(cases)('%s + %s → %s', (state, name, outcome) => {
    const before = task(state, state === 'pending' ? null : 'alice');
    const command = commands[name]!;
    if (outcome === 'refused') {
      expect(callbackRefusal(before, command)).toEqual(expect.any(String));
      expect(() => applyCallback(before, command, AT)).toThrow();
      return;
    }
    expect(callbackRefusal(before, command)).toBeUndefined();
    const after = applyCallback(before, command, '2026-12-04T10:01:00.000Z');
    expect(after.state).toBe(outcome);
    expect(after.updatedAt).toBe('2026-12-04T10:01:00.000Z');
    if (command.kind === 'assign') expect(after).toMatchObject({ agentId: 'alice', assignedAt: '2026-12-04T10:01:00.000Z' });
    if (command.kind === 'release') expect(after).toMatchObject({ agentId: null, assignedAt: null });
    if (command.kind === 'dial') expect(after).toMatchObject({ agentId: command.actor.agentId, closedBy: command.actor.agentId });
    if (command.kind === 'cancel') expect(after).toMatchObject({ closedBy: command.actor.agentId, closedAt: '2026-12-04T10:01:00.000Z' });
  });

  it('says why: not yet assigned, someone else’s, over', () => {
    expect(callbackRefusal(task('pending', null), { kind: 'dial', actor: alice })).toBe('the callback is not assigned to you yet');
    expect(callbackRefusal(task('assigned', 'alice'), { kind: 'dial', actor: bob })).toBe('the callback is assigned to alice');
    expect(callbackRefusal(task('dialed', 'alice'), { kind: 'dial', actor: alice })).toBe('the callback is dialed already');
  });
});

describe('nextAgent: the next available agent', () => {
  const a = (agentId: string, holding: number, since = AT) => ({ agentId, holding, since });
  it.each<[string, ReturnType<typeof a>[], string | null, string | undefined]>([
    ['nobody available', [], 'alice', undefined],
    ['nobody available, no conversation agent', [], null, undefined],
    ['the conversation’s agent when available, whatever they hold', [a('bob', 0), a('alice', 5)], 'alice', 'alice'],
    ['the conversation’s agent away or offline: the one holding fewest', [a('bob', 2), a('carol', 1)], 'alice', 'carol'],
    ['no conversation agent: the one holding fewest', [a('bob', 1), a('carol', 0)], null, 'carol'],
    ['a tie: the longest online', [a('bob', 0, '2026-12-04T09:00:00.000Z'), a('carol', 0, '2026-12-04T08:00:00.000Z')], null, 'carol'],
    ['a full tie: by id', [a('dave', 0), a('carol', 0)], null, 'carol'],
  ])('%s', (_name, available, conversationAgent, expected) => {
    expect(nextAgent(available, conversationAgent)).toBe(expected);
  });
});
