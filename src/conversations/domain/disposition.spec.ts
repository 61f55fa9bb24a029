import { dispositionProblem } from './disposition';

describe('dispositionProblem', () => {
  it.each([
    ['anything goes without a list', 'whatever', [], undefined],
    ['a listed reason', 'Resolved', ['Resolved', 'Callback'], undefined],
    ['an unlisted reason', 'resolved', ['Resolved', 'Callback'], "must be one of this tenant's dispositions: Resolved, Callback"],
    ['a reason with extra spaces', 'Resolved ', ['Resolved'], "must be one of this tenant's dispositions: Resolved"],
  ])('%s', (_name, disposition, allowed, expected) => {
    expect(dispositionProblem(disposition, allowed)).toBe(expected);
  });
});
