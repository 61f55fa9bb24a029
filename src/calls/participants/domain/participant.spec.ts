import type { CallState } from '../../domain/call-state';
import {
  applyLegFact, baseParticipants, callCommandRefusal, consultation, participantRefusal, planCommand, withBase,
  type LegFact, type Participant, type ParticipantCommand,
} from './participant';

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-01T00:01:00.000Z';
const ids = { newId: 'P1', by: 'alice', at: LATER };

const base = (state: CallState = 'answered') => baseParticipants({
  id: 'C', to: '+14155552671', agentEndpoint: 'sip:alice@pbx', state, answeredAt: state === 'ringing' || state === 'initiating' ? null : AT, startedAt: AT, endedAt: null,
});
const party = (over: Partial<Participant>): Participant => ({
  id: 'X', callId: 'C', role: 'consultee', endpoint: 'sip:bob@pbx', state: 'connected', mode: 'talk', ref: 'X', reason: null,
  addedBy: 'alice', joinedAt: AT, leftAt: null, updatedAt: AT, ...over,
});
const consulting = (state: Participant['state'] = 'connected') => [...base('held'), party({ id: 'K', ref: 'K', mode: 'private', state })];
const merged = () => [...base(), party({ id: 'K', ref: 'K', mode: 'talk' })];
const supervised = (mode: Participant['mode'] = 'monitor') => [...base(), party({ id: 'S', ref: 'S', role: 'supervisor', endpoint: 'sip:sue@pbx', mode })];

const CONSULT: ParticipantCommand = { kind: 'consult', to: 'sip:bob@pbx' };

describe('the call’s own two parties', () => {
  it.each([
    ['initiating', 'dialing', 'dialing'],
    ['ringing', 'ringing', 'ringing'],
    ['answered', 'connected', 'connected'],
    ['held', 'held', 'connected'],
    ['ended', 'left', 'left'],
  ] as const)('a %s call has its customer %s and its agent %s', (state, customer, agent) => {
    const [c, a] = baseParticipants({ id: 'C', to: '+1', agentEndpoint: 'user:alice', state, answeredAt: state === 'initiating' || state === 'ringing' ? null : AT, startedAt: AT, endedAt: state === 'ended' ? LATER : null });
    expect([c!.state, a!.state, c!.id, a!.id, c!.ref, a!.ref]).toEqual([customer, agent, 'C-customer', 'C-agent', 'customer', 'agent']);
  });

  it('stored parties win over the derived ones of the same id', () => {
    const stored = [{ ...base()[0]!, state: 'held' as const }];
    const other = party({ id: 'K' });
    expect(withBase([other, ...stored], base()).map((p) => [p.id, p.state])).toEqual([['C-customer', 'held'], ['C-agent', 'connected'], ['K', 'connected']]);
  });
});

describe('refusals (409), every command × situation', () => {
  // [situation, command, refusal or undefined]
  const table: Array<[string, CallState, Participant[], ParticipantCommand, string | undefined]> = [
    ['ringing call', 'ringing', base('ringing'), CONSULT, 'only a connected call has participants to change (it is ringing)'],
    ['ended call', 'ended', base('ended'), { kind: 'add', to: 'sip:x@pbx', role: 'agent' }, 'only a connected call has participants to change (it is ended)'],
    ['two-party call', 'answered', base(), CONSULT, undefined],
    ['held call', 'held', base('held'), CONSULT, undefined],
    ['consulting', 'held', consulting(), CONSULT, 'a consultation is already under way'],
    ['two-party call', 'answered', base(), { kind: 'complete' }, 'no consultation is under way'],
    ['two-party call', 'answered', base(), { kind: 'merge' }, 'no consultation is under way'],
    ['two-party call', 'answered', base(), { kind: 'cancel' }, 'no consultation is under way'],
    ['consultee ringing', 'held', consulting('ringing'), { kind: 'complete' }, 'the consulted party has not answered (it is ringing)'],
    ['consultee ringing', 'held', consulting('ringing'), { kind: 'merge' }, 'the consulted party has not answered (it is ringing)'],
    ['consultee ringing', 'held', consulting('ringing'), { kind: 'cancel' }, undefined],
    ['consulting', 'held', consulting(), { kind: 'complete' }, undefined],
    ['consulting', 'held', consulting(), { kind: 'merge' }, undefined],
    ['consulting', 'held', consulting(), { kind: 'add', to: 'sip:x@pbx', role: 'agent' }, 'a consultation is under way: complete, merge or cancel it first'],
    ['consulting', 'held', consulting(), { kind: 'remove', participantId: 'K' }, 'the participant is being consulted: cancel the consultation instead'],
    ['two-party call', 'answered', base(), { kind: 'remove', participantId: 'C-customer' }, 'the customer leaves when the call is hung up (POST /v1/calls/{id}/hangup)'],
    ['two-party call', 'answered', base(), { kind: 'remove', participantId: 'C-agent' }, undefined],
    ['merged', 'answered', [...merged().slice(0, 2), party({ id: 'K', state: 'left' })], { kind: 'remove', participantId: 'K' }, 'the participant has already left'],
    ['two-party call', 'answered', base(), { kind: 'supervise', endpoint: 'sip:sue@pbx', mode: 'whisper' }, undefined],
    ['supervised', 'answered', supervised(), { kind: 'supervise', endpoint: 'sip:sue@pbx', mode: 'monitor' }, 'sip:sue@pbx already supervises this call'],
    ['supervised', 'answered', supervised(), { kind: 'set-mode', participantId: 'S', mode: 'monitor' }, 'the supervisor is already in monitor'],
    ['supervised', 'answered', supervised(), { kind: 'set-mode', participantId: 'S', mode: 'whisper' }, undefined],
    ['supervised', 'answered', supervised(), { kind: 'set-mode', participantId: 'C-agent', mode: 'whisper' }, 'only a supervisor’s mode can change'],
    ['no agent left', 'answered', [base()[0]!, { ...base()[1]!, state: 'left' }], { kind: 'supervise', endpoint: 'sip:sue@pbx', mode: 'whisper' }, 'there is no connected agent to whisper to'],
    ['unknown participant', 'answered', base(), { kind: 'remove', participantId: 'nope' }, undefined],
  ];
  const rows = table.map(([situation, state, participants, command, refusal]) => [situation, state, command.kind, refusal ?? 'allowed', participants, command, refusal] as const);
  it.each(rows)('%s (%s), %s → %s', (_situation, state, _kind, _said, participants, command, refusal) => {
    expect(participantRefusal(state, participants, command)).toBe(refusal);
    if (refusal) expect(() => planCommand(state, participants, command, ids)).toThrow(refusal);
  });

  it.each([
    ['resume', 'a consultation is under way: complete, merge or cancel it first'],
    ['transfer', 'a consultation is under way: complete, merge or cancel it first'],
    ['dtmf', 'a consultation is under way: complete, merge or cancel it first'],
    ['hangup', undefined],
    ['mute', undefined],
  ])('the call’s own %s during a consultation → %s', (command, refusal) => {
    expect(callCommandRefusal(consulting(), command)).toBe(refusal);
    expect(callCommandRefusal(merged(), command)).toBeUndefined();
  });
});

/** A plan in short: [participant id, role, state, mode, reason] of each change, its event types, its legs, the call's follow-up. */
const short = (plan: ReturnType<typeof planCommand>) => ({
  changed: plan.changed.map((p) => [p.id, p.role, p.state, p.mode, p.reason]),
  events: plan.events.map((e) => e.type),
  legs: plan.legs.map((l) => (l.op === 'dial' ? ['dial', l.participant.ref, l.coach ?? null] : l.op === 'update' ? ['update', l.ref, l.mode ?? null, l.coach ?? null] : ['remove', l.ref])),
  call: plan.call ?? null,
});

describe('plans', () => {
  it('consult holds the customer (the call’s own hold) and dials the colleague privately', () => {
    expect(short(planCommand('answered', base(), CONSULT, ids))).toEqual({
      changed: [['C-customer', 'customer', 'held', 'talk', null], ['P1', 'consultee', 'dialing', 'private', null]],
      events: ['call.participant.updated', 'call.participant.updated'],
      legs: [['dial', 'P1', null]],
      call: 'hold',
    });
    // Already held by the agent: no second hold.
    expect(planCommand('held', base('held'), CONSULT, ids).call).toBeUndefined();
  });

  it('complete drops the agent, makes the colleague the customer’s agent and takes the customer off hold', () => {
    const plan = planCommand('held', consulting(), { kind: 'complete' }, ids);
    expect(short(plan)).toEqual({
      changed: [['C-agent', 'agent', 'left', 'talk', 'removed'], ['K', 'agent', 'connected', 'talk', null], ['C-customer', 'customer', 'connected', 'talk', null]],
      events: ['call.participant.left', 'call.participant.updated', 'call.participant.updated'],
      legs: [['remove', 'agent'], ['update', 'K', 'talk', null]],
      call: 'resume',
    });
    expect(plan.transferredTo).toBe('sip:bob@pbx');
  });

  it('merge makes a three-way call; cancel drops the colleague', () => {
    expect(short(planCommand('held', consulting(), { kind: 'merge' }, ids))).toEqual({
      changed: [['K', 'consultee', 'connected', 'talk', null], ['C-customer', 'customer', 'connected', 'talk', null]],
      events: ['call.participant.updated', 'call.participant.updated'],
      legs: [['update', 'K', 'talk', null]],
      call: 'resume',
    });
    expect(short(planCommand('held', consulting('ringing'), { kind: 'cancel' }, ids))).toEqual({
      changed: [['K', 'consultee', 'left', 'private', 'removed'], ['C-customer', 'customer', 'connected', 'talk', null]],
      events: ['call.participant.left', 'call.participant.updated'],
      legs: [['remove', 'K']],
      call: 'resume',
    });
  });

  it('after a merge the agent may leave: the colleague stays with the customer; the last agent-side party leaving ends the call', () => {
    expect(planCommand('answered', merged(), { kind: 'remove', participantId: 'C-agent' }, ids).call).toBeUndefined();
    const alone = [...merged().slice(0, 1), { ...merged()[1]!, state: 'left' as const }, merged()[2]!];
    expect(short(planCommand('answered', alone, { kind: 'remove', participantId: 'K' }, ids))).toMatchObject({ legs: [['remove', 'K']], call: 'hangup' });
    // A supervisor listening does not keep the customer's call alive.
    const watched = [...supervised()];
    expect(planCommand('answered', watched, { kind: 'remove', participantId: 'C-agent' }, ids).call).toBe('hangup');
  });

  it('supervise dials in the chosen mode, a whisper coaching the connected agent; the mode changes in place', () => {
    expect(short(planCommand('answered', base(), { kind: 'supervise', endpoint: 'sip:sue@pbx', mode: 'whisper' }, ids))).toEqual({
      changed: [['P1', 'supervisor', 'dialing', 'whisper', null]],
      events: ['call.participant.updated'],
      legs: [['dial', 'P1', 'agent']],
      call: null,
    });
    expect(short(planCommand('answered', supervised(), { kind: 'set-mode', participantId: 'S', mode: 'whisper' }, ids)).legs).toEqual([['update', 'S', 'whisper', 'agent']]);
    expect(short(planCommand('answered', supervised('whisper'), { kind: 'set-mode', participantId: 'S', mode: 'barge' }, ids)).legs).toEqual([['update', 'S', 'barge', null]]);
  });
});

describe('leg facts, every state × fact', () => {
  const FACTS: Record<string, LegFact> = {
    ringing: { kind: 'ringing' }, answered: { kind: 'answered' }, 'no-answer': { kind: 'ended', reason: 'no-answer' }, busy: { kind: 'ended', reason: 'busy' },
  };
  // [party's state, fact, next state or null (no change), event]
  const table: Array<[Participant['state'], string, Participant['state'] | null, string | null]> = [
    ['dialing', 'ringing', 'ringing', 'call.participant.updated'],
    ['dialing', 'answered', 'connected', 'call.participant.joined'],
    ['dialing', 'busy', 'left', 'call.participant.left'],
    ['ringing', 'ringing', null, null],
    ['ringing', 'answered', 'connected', 'call.participant.joined'],
    ['ringing', 'no-answer', 'left', 'call.participant.left'],
    ['connected', 'ringing', null, null],
    ['connected', 'answered', null, null],
    ['connected', 'no-answer', 'left', 'call.participant.left'],
    ['left', 'ringing', null, null],
    ['left', 'answered', null, null],
    ['left', 'busy', null, null],
  ];
  it.each(table)('%s + %s → %s', (state, fact, next, event) => {
    const plan = applyLegFact([...base('held'), party({ id: 'K', mode: 'private', state })], 'K', FACTS[fact]!, LATER);
    expect(plan.changed.map((p) => p.state)).toEqual(next ? [next] : []);
    expect(plan.events.map((e) => e.type)).toEqual(event ? [event] : []);
  });

  it('a consulted colleague who does not answer leaves the customer on hold with the agent, the reason told', () => {
    const plan = applyLegFact(consulting('ringing'), 'K', FACTS['no-answer']!, LATER);
    expect(plan.changed.map((p) => [p.id, p.state, p.reason])).toEqual([['K', 'left', 'no-answer']]);
    expect(plan.call).toBeUndefined();
    expect(consultation([...base('held'), plan.changed[0]!])).toBeUndefined();
  });

  it('the last agent-side leg hanging up ends the call; a fact about an unknown party changes nothing', () => {
    const afterComplete = [base()[0]!, { ...base()[1]!, state: 'left' as const }, party({ id: 'K', role: 'agent' })];
    expect(applyLegFact(afterComplete, 'K', { kind: 'ended', reason: 'completed' }, LATER).call).toBe('hangup');
    expect(applyLegFact(merged(), 'K', { kind: 'ended', reason: 'completed' }, LATER).call).toBeUndefined();
    expect(applyLegFact(supervised(), 'S', { kind: 'ended', reason: 'completed' }, LATER).call).toBeUndefined();
    expect(applyLegFact(base(), 'nope', { kind: 'answered' }, LATER)).toEqual({ changed: [], events: [], legs: [], call: undefined });
  });
});
