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
