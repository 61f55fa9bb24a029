import { callTimes, type TimedStep } from './call-time';

const T = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + seconds * 1000).toISOString();
const step = (kind: string, seconds: number): TimedStep => ({ kind, at: T(seconds) });

describe('callTimes', () => {
  it.each<[string, string | null, string | null, TimedStep[], number, [number | null, number | null, number | null]]>([
    ['never answered', null, T(30), [], 40, [null, null, null]],
    ['never answered, still ringing', null, null, [], 40, [null, null, null]],
    ['answered and ended, no hold', T(5), T(65), [], 100, [60, 0, 60]],
    ['one hold, resumed', T(0), T(100), [step('held', 10), step('resumed', 40)], 200, [100, 30, 70]],
    ['two holds', T(0), T(100), [step('held', 10), step('resumed', 20), step('held', 50), step('resumed', 55)], 200, [100, 15, 85]],
    ['held until the end', T(0), T(100), [step('held', 80)], 200, [100, 20, 80]],
    ['live call measured up to now', T(0), null, [], 42, [42, 0, 42]],
    ['live call on hold measured up to now', T(0), null, [step('held', 30)], 42, [42, 12, 30]],
    ['steps out of order are sorted', T(0), T(100), [step('resumed', 40), step('held', 10)], 200, [100, 30, 70]],
    ['a repeated held does not restart the hold', T(0), T(100), [step('held', 10), step('held', 30), step('resumed', 40)], 200, [100, 30, 70]],
    ['a resume without hold counts nothing', T(0), T(100), [step('resumed', 40)], 200, [100, 0, 100]],
    ['mute, unmute and dtmf are not hold', T(0), T(100), [step('muted', 10), step('unmuted', 40), step('dtmf_sent', 50)], 200, [100, 0, 100]],
    ['a step after the end is clamped to the end', T(0), T(100), [step('held', 90), step('resumed', 130)], 200, [100, 10, 90]],
    ['an end before the answer counts zero', T(50), T(40), [], 200, [0, 0, 0]],
  ])('%s', (_name, answeredAt, endedAt, steps, now, [durationSeconds, holdSeconds, talkSeconds]) => {
    expect(callTimes(answeredAt, endedAt, steps, T(now))).toEqual({ durationSeconds, holdSeconds, talkSeconds });
  });

  it('rounds once, so talk + hold equals the duration', () => {
    const times = callTimes('2026-01-01T10:00:00.000Z', '2026-01-01T10:00:10.600Z', [
      { kind: 'held', at: '2026-01-01T10:00:01.500Z' }, { kind: 'resumed', at: '2026-01-01T10:00:04.000Z' },
    ], T(0));
    expect(times).toEqual({ durationSeconds: 11, holdSeconds: 3, talkSeconds: 8 });
  });
});
