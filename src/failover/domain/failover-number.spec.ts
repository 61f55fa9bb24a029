import { failoverNumber } from './failover-number';

const A = '+14155550100';
const B = '+14155550101';
const C = '+14155550102';

describe('failoverNumber', () => {
  it.each([
    { case: 'nobody is said to own the caller ID: kept', current: A, numbers: [A, B], owners: {}, want: { number: A } },
    { case: 'the next provider owns the caller ID: kept', current: A, numbers: [A, B], owners: { [A]: 'jambonz' }, want: { number: A } },
    { case: 'the first provider owns it, the next owns another: that one', current: A, numbers: [A, B, C], owners: { [A]: 'twilio', [C]: 'jambonz' }, want: { number: C } },
    { case: 'the first of several the next provider owns', current: A, numbers: [A, B, C], owners: { [A]: 'twilio', [B]: 'jambonz', [C]: 'jambonz' }, want: { number: B } },
    { case: 'the first provider owns it, the next none: skipped', current: A, numbers: [A, B], owners: { [A]: 'twilio', [B]: 'twilio' },
      want: { skip: "the caller ID belongs to twilio and none of the tenant's numbers belongs to jambonz" } },
    { case: 'another number with no owner is not taken for one that is known to be wrong', current: A, numbers: [A, B], owners: { [A]: 'twilio' },
      want: { skip: "the caller ID belongs to twilio and none of the tenant's numbers belongs to jambonz" } },
    { case: 'no numbers and no stand-in: skipped', current: '+15550100000', numbers: [], owners: {}, want: { skip: 'the tenant has no number jambonz could call from' } },
  ])('$case', ({ current, numbers, owners, want }) => {
    expect(failoverNumber('jambonz', current, { numbers, owners: new Map(Object.entries(owners)) })).toEqual(want);
  });

  it("takes the next provider's stand-in for a tenant without numbers", () => {
    expect(failoverNumber('simulator', '+15550100000', { numbers: [], standIn: '+15550100001' })).toEqual({ number: '+15550100001' });
  });

  it('keeps the number when the tenant said nothing about owners at all', () => {
    expect(failoverNumber('jambonz', B, { numbers: [A, B] })).toEqual({ number: B });
  });
});
