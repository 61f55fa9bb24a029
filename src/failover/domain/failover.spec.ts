import { failsOver, parseAttempts, providerChain } from './failover';

describe('providerChain', () => {
  it.each([
    { list: ['twilio', 'telnyx'], single: undefined, want: ['twilio', 'telnyx'] },
    { list: ['twilio', 'telnyx'], single: 'simulator', want: ['twilio', 'telnyx'] },
    { list: [], single: 'telnyx', want: ['telnyx'] },
    { list: undefined, single: 'telnyx', want: ['telnyx'] },
    { list: undefined, single: undefined, want: ['simulator'] },
    { list: ['twilio', 'twilio', 'telnyx'], single: undefined, want: ['twilio', 'telnyx'] },
    { list: ['twilio', 'telnyx', 'simulator'], single: undefined, want: ['twilio', 'telnyx'] },
  ])('$list / $single → $want', ({ list, single, want }) => {
    expect(providerChain(list, single, 'simulator')).toEqual(want);
  });
});

describe('failsOver', () => {
  it.each([
    { retryable: true, tried: 1, chain: 2, want: true },
    { retryable: false, tried: 1, chain: 2, want: false },
    { retryable: true, tried: 1, chain: 1, want: false },
    { retryable: true, tried: 2, chain: 2, want: false },
    { retryable: true, tried: 2, chain: 3, want: false },
  ])('retryable $retryable after $tried of $chain → $want', ({ retryable, tried, chain, want }) => {
    expect(failsOver({ retryable }, tried, chain)).toBe(want);
  });
});

describe('parseAttempts', () => {
  it.each([
    { json: null, want: [] },
    { json: 'not json', want: [] },
    { json: '{}', want: [] },
    { json: '[{"provider":"twilio","error":"down","code":"503"},{"provider":"telnyx","error":null,"code":null}]',
      want: [{ provider: 'twilio', error: 'down', code: '503' }, { provider: 'telnyx', error: null, code: null }] },
    { json: '[{"error":"no provider"}]', want: [] },
  ])('$json', ({ json, want }) => {
    expect(parseAttempts(json)).toEqual(want);
  });
});
