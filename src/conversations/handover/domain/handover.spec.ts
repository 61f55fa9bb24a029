import { ErrorCode } from '../../../common/errors/domain-error';
import { handoverRefusal, handoverTo, type HandoverSituation } from './handover';

const alice = { agentId: 'alice', supervises: false };
const sue = { agentId: 'sue', supervises: true };
const mine = { agentId: 'alice', status: 'active' as const };
const situation = (over: Partial<HandoverSituation>): HandoverSituation => ({
  by: alice, conversation: mine, target: { agentId: 'bob' }, liveCallId: null, endpoint: undefined, ...over,
});

describe('handing a conversation over, every situation', () => {
  const table: Array<[string, Partial<HandoverSituation>, ErrorCode | undefined, string | undefined]> = [
    ['its agent to a colleague', {}, undefined, undefined],
    ['its agent back to the queue', { target: { queue: true } }, undefined, undefined],
    ['another agent', { by: { agentId: 'carl', supervises: false } }, ErrorCode.Forbidden, "only the conversation's agent or a supervisor may hand it over"],
    ['a supervisor, someone else’s', { by: sue }, undefined, undefined],
    ['a supervisor, from the queue', { by: sue, conversation: { agentId: null, status: 'active' } }, undefined, undefined],
    ['an agent, from the queue', { conversation: { agentId: null, status: 'active' } }, ErrorCode.Forbidden, "only the conversation's agent or a supervisor may hand it over"],
    ['a closed one', { conversation: { agentId: 'alice', status: 'closed' } }, ErrorCode.Conflict, 'the conversation is closed'],
    ['a wrap-up one', { conversation: { agentId: 'alice', status: 'wrap-up' } }, undefined, undefined],
    ['to its own agent', { target: { agentId: 'alice' } }, ErrorCode.Conflict, "the conversation is already alice's"],
    ['to the queue, already there', { by: sue, conversation: { agentId: null, status: 'active' }, target: { queue: true } }, ErrorCode.Conflict, 'the conversation is already in the queue'],
    ['with a live call, to a colleague’s device', { liveCallId: 'C', endpoint: 'user:bob' }, undefined, undefined],
    ['with a live call, no device', { liveCallId: 'C' }, ErrorCode.Unprocessable, "is required: the conversation has a live call, which goes to the new agent's device"],
    ['with a live call, to the queue', { liveCallId: 'C', target: { queue: true } }, ErrorCode.Conflict, 'a conversation with a live call cannot go back to the queue: hand it to an agent'],
    ['without a call, a device', { endpoint: 'user:bob' }, ErrorCode.Unprocessable, 'is only for a conversation with a live call'],
    ['to the queue, a device', { target: { queue: true }, endpoint: 'user:bob' }, ErrorCode.Unprocessable, 'is only for a hand-over to an agent'],
  ];
  it.each(table)('%s → %s', (_name, over, code, message) => {
    const refusal = handoverRefusal(situation(over));
    expect(refusal && [refusal.code, refusal.message]).toEqual(code ? [code, message] : undefined);
  });

  it('goes to the named agent, or to nobody (the queue)', () => {
    expect([handoverTo({ agentId: 'bob' }), handoverTo({ queue: true })]).toEqual(['bob', null]);
  });
});
