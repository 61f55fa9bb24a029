import { decide, RECORDING_ACTIONS, type RecordingAction, type RecordingPolicy, type RecordingState } from './recording-state';

type Row = [RecordingState | undefined, RecordingAction, RecordingState | number];

// Every (state, action) pair under on-demand: the next state, or the refusal's status.
const ON_DEMAND: Row[] = [
  [undefined, 'start', 'recording'], [undefined, 'pause', 409], [undefined, 'resume', 409], [undefined, 'stop', 409],
  ['recording', 'start', 409], ['recording', 'pause', 'paused'], ['recording', 'resume', 409], ['recording', 'stop', 'stopped'],
  ['paused', 'start', 409], ['paused', 'pause', 409], ['paused', 'resume', 'recording'], ['paused', 'stop', 'stopped'],
  ['stopped', 'start', 'recording'], ['stopped', 'pause', 409], ['stopped', 'resume', 409], ['stopped', 'stop', 409],
  ['available', 'start', 'recording'], ['available', 'pause', 409], ['available', 'resume', 409], ['available', 'stop', 409],
  ['failed', 'start', 'recording'], ['failed', 'pause', 409], ['failed', 'resume', 409], ['failed', 'stop', 409],
];

const outcome = (state: RecordingState | undefined, action: RecordingAction, policy: RecordingPolicy, live = true) => {
  const d = decide(state, action, policy, live);
  return d.ok ? d.next : d.status;
};

describe('recording state machine', () => {
  it.each(ON_DEMAND)('on-demand: %s + %s → %s', (state, action, expected) => {
    expect(outcome(state, action, 'on-demand')).toBe(expected);
  });

  it.each(ON_DEMAND.map(([s, a, e]) => [s, a, a === 'stop' && typeof e === 'string' ? 409 : e] as Row))(
    'always: %s + %s → %s (a whole-call recording pauses but never stops)', (state, action, expected) => {
      expect(outcome(state, action, 'always')).toBe(expected);
    });

  it.each(RECORDING_ACTIONS)('off refuses %s with 422 whatever the state', (action) => {
    for (const state of [undefined, 'recording', 'paused'] as const) expect(outcome(state, action, 'off')).toBe(422);
  });

  it.each(RECORDING_ACTIONS)('a call that is not live refuses %s with 409', (action) => {
    expect(outcome(undefined, action, 'on-demand', false)).toBe(409);
    expect(outcome('recording', action, 'on-demand', false)).toBe(409);
  });

  it('says which provider step an accepted action needs', () => {
    expect(decide('recording', 'pause', 'on-demand', true)).toEqual({ ok: true, next: 'paused', step: 'pause' });
  });
});
