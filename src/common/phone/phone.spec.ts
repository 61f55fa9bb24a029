import { toE164 } from './phone';

describe('toE164', () => {
  it.each([
    ['+447966197542', 'US', '+447966197542'],
    ['07966 197542', 'GB', '+447966197542'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+1 415 555 2671', 'GB', '+14155552671'],
  ])('%s in %s → %s', (input, region, expected) => expect(toE164(input, region)).toBe(expected));

  it.each([['12'], [''], ['not a number'], ['+44 12'], ['+1 415 555 2671 ext 9'], ['9'.repeat(41)], ['07966 197542']])(
    '%j is not a valid number (US)', (input) => expect(toE164(input, 'US')).toBeNull(),
  );
});

describe('toE164 remembering answers', () => {
  it('answers a repeated input the same way, per region', () => {
    expect(toE164('07966 197542', 'GB')).toBe('+447966197542');
    expect(toE164('07966 197542', 'GB')).toBe('+447966197542');
    expect(toE164('07966 197542', 'US')).toBeNull();
    expect(toE164('07966 197542', 'GB')).toBe('+447966197542');
  });

  it('stays correct after more distinct inputs than it remembers', () => {
    for (let n = 0; n < 10_050; n++) toE164(`+1415200${String(n).padStart(4, '0')}`, 'US');
    expect(toE164('+14152000007', 'US')).toBe('+14152000007');
    expect(toE164('12', 'US')).toBeNull();
  });
});
