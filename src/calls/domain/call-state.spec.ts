import { applyCommand, applyFact, commandRefusal, initialStatus, type CallCommand, type CallFact, type CallState, type CallStatus } from './call-state';

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-01T00:01:00.000Z';
const status = (state: CallState, over: Partial<CallStatus> = {}): CallStatus => ({
  ...initialStatus(), state, answeredAt: state === 'answered' || state === 'held' ? AT : null, ...over,
});

const FACTS: Record<string, CallFact> = {
  ringing: { kind: 'ringing' },
  answered: { kind: 'answered' },
  completed: { kind: 'ended', reason: 'completed' },
  busy: { kind: 'ended', reason: 'busy' },
  'no-answer': { kind: 'ended', reason: 'no-answer' },
  failed: { kind: 'ended', reason: 'failed' },
};

describe('provider facts, every state × fact', () => {
  // [state, fact, next state or null for "no change", event]
  const table: Array<[CallState, string, CallState | null, string | null]> = [
    ['initiating', 'ringing', 'ringing', 'call.ringing'],
    ['initiating', 'answered', 'answered', 'call.answered'],
    ['initiating', 'completed', 'ended', 'call.ended'],
    ['initiating', 'busy', 'ended', 'call.ended'],
    ['initiating', 'no-answer', 'ended', 'call.ended'],
    ['initiating', 'failed', 'failed', 'call.failed'],
    ['ringing', 'ringing', null, null],
    ['ringing', 'answered', 'answered', 'call.answered'],
    ['ringing', 'completed', 'ended', 'call.ended'],
    ['ringing', 'busy', 'ended', 'call.ended'],
    ['ringing', 'no-answer', 'ended', 'call.ended'],
    ['ringing', 'failed', 'failed', 'call.failed'],
    ['answered', 'ringing', null, null],
    ['answered', 'answered', null, null],
    ['answered', 'completed', 'ended', 'call.ended'],
    ['answered', 'failed', 'ended', 'call.ended'],
    ['held', 'ringing', null, null],
    ['held', 'answered', null, null],
    ['held', 'completed', 'ended', 'call.ended'],
    ...(['ringing', 'answered', 'completed', 'busy', 'no-answer', 'failed'] as const).flatMap((f) => [
      ['ended', f, null, null] as [CallState, string, null, null],
      ['failed', f, null, null] as [CallState, string, null, null],
    ]),
  ];

  it.each(table)('%s + %s → %s', (state, fact, next, event) => {
    const result = applyFact(status(state), FACTS[fact]!, LATER);
    expect(result.changed).toBe(next !== null);
    expect(result.status.state).toBe(next ?? state);
    expect(result.events).toEqual(event ? [event] : []);
  });

  it('keeps the end reason and times', () => {
    const answered = applyFact(status('ringing'), FACTS.answered!, AT).status;
    expect(answered.answeredAt).toBe(AT);
    const ended = applyFact(answered, FACTS.completed!, LATER).status;
    expect(ended).toMatchObject({ state: 'ended', endReason: 'completed', endedAt: LATER, answeredAt: AT });
  });

  it('ignores an out-of-order sequence: answered, completed, then a late ringing and answered', () => {
    let s = initialStatus();
    const emitted: string[] = [];
    for (const f of ['answered', 'completed', 'ringing', 'answered', 'completed']) {
      const r = applyFact(s, FACTS[f]!, LATER);
      s = r.status;
      emitted.push(...r.events);
    }
    expect(s.state).toBe('ended');
    expect(emitted).toEqual(['call.answered', 'call.ended']);
  });
});

describe('agent commands', () => {
  const allowed: Array<[CallState, CallCommand, boolean]> = [
    ['initiating', 'hangup', true], ['ringing', 'hangup', true], ['answered', 'hangup', true], ['held', 'hangup', true],
    ['ended', 'hangup', false], ['failed', 'hangup', false],
    ['answered', 'hold', true], ['ringing', 'hold', false], ['held', 'hold', false],
    ['held', 'resume', true], ['answered', 'resume', false],
    ['answered', 'mute', true], ['held', 'mute', true], ['ringing', 'mute', false],
    ['answered', 'dtmf', true], ['held', 'dtmf', false], ['ringing', 'dtmf', false],
    ['answered', 'transfer', true], ['held', 'transfer', true], ['initiating', 'transfer', false], ['ended', 'transfer', false],
  ];
  it.each(allowed)('%s: %s allowed = %s', (state, command, ok) => {
    expect(commandRefusal(status(state), command) === undefined).toBe(ok);
  });

  it('mutes once and unmutes once', () => {
    const muted = applyCommand(status('answered'), 'mute', AT);
    expect(muted).toMatchObject({ changed: true, events: ['call.muted'], status: { muted: true } });
    expect(commandRefusal(muted.status, 'mute')).toBe('the call is already muted');
    expect(applyCommand(muted.status, 'unmute', AT).events).toEqual(['call.unmuted']);
    expect(commandRefusal(status('answered'), 'unmute')).toBe('the call is not muted');
  });

  it('hold and resume toggle; hangup ends as completed when answered, canceled when not', () => {
    const held = applyCommand(status('answered'), 'hold', AT);
    expect(held).toMatchObject({ status: { state: 'held' }, events: ['call.held'] });
    expect(applyCommand(held.status, 'resume', AT)).toMatchObject({ status: { state: 'answered' }, events: ['call.resumed'] });
    expect(applyCommand(status('answered'), 'hangup', AT).status).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(applyCommand(status('ringing'), 'hangup', AT).status).toMatchObject({ state: 'ended', endReason: 'canceled' });
    expect(() => applyCommand(status('ended'), 'hangup', AT)).toThrow('the call has ended');
  });
});
