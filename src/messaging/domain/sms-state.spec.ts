import { advance, isTerminal, SMS_STATES, type SmsState } from './sms-state';

// The contract's ranks, written out again here so the test does not trust the code's own table.
const RANK: Record<SmsState, number | null> = {
  queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, received: null,
};
const TERMINAL: SmsState[] = ['delivered', 'undelivered', 'failed'];

const pairs = SMS_STATES.flatMap((current) => SMS_STATES.map((next) => {
  const from = RANK[current];
  const to = RANK[next];
  const changed = from !== null && to !== null && !TERMINAL.includes(current) && to > from;
  return [current, next, changed] as [SmsState, SmsState, boolean];
}));

describe('advance', () => {
  it('covers every ordered pair of the seven states', () => {
    expect(new Set(SMS_STATES)).toEqual(new Set(Object.keys(RANK)));
    expect(pairs).toHaveLength(49);
    expect(pairs.filter(([, , changed]) => changed)).toHaveLength(5 + 4 + 3); // forward moves out of queued, sending, sent
  });

  it.each(pairs)('%s + %s → changed: %s', (current, next, changed) => {
    expect(advance(current, next)).toEqual({ changed, state: changed ? next : current });
  });

  it.each(SMS_STATES.map((s) => [s]))('a duplicate %s changes nothing', (state) => {
    expect(advance(state, state)).toEqual({ changed: false, state });
  });

  it.each<[string, SmsState, SmsState[], SmsState]>([
    ['in order', 'queued', ['sending', 'sent', 'delivered'], 'delivered'],
    ['a late sending after delivered', 'queued', ['sent', 'delivered', 'sending'], 'delivered'],
    ['queued straight to delivered', 'queued', ['delivered'], 'delivered'],
    ['callbacks reversed', 'queued', ['delivered', 'sent', 'sending'], 'delivered'],
    ['the same callback twice', 'queued', ['sent', 'sent', 'delivered', 'delivered'], 'delivered'],
    ['failed is final, even against delivered', 'sending', ['failed', 'delivered', 'sent'], 'failed'],
    ['undelivered after sent', 'queued', ['sending', 'sent', 'undelivered', 'undelivered'], 'undelivered'],
    ['an inbound message ignores status callbacks', 'received', ['queued', 'sent', 'delivered', 'failed'], 'received'],
  ])('%s', (_name, start, facts, expected) => {
    const final = facts.reduce((state, fact) => advance(state, fact).state, start);
    expect(final).toBe(expected);
  });
});

describe('isTerminal', () => {
  it.each<[SmsState, boolean]>([
    ['queued', false],
    ['sending', false],
    ['sent', false],
    ['delivered', true],
    ['undelivered', true],
    ['failed', true],
    ['received', true],
  ])('%s → %s', (state, terminal) => {
    expect(isTerminal(state)).toBe(terminal);
  });
});
