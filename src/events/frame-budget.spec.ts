import { FrameBudget } from './frame-budget';

describe('FrameBudget', () => {
  // Each step: [ms since start, cost, allowed]
  it.each<[string, number, number, Array<[number, number, boolean]>]>([
    ['spends the burst at once, then refuses', 2, 3, [[0, 1, true], [0, 1, true], [0, 1, true], [0, 1, false]]],
    ['refills at the sustained rate', 2, 3, [[0, 3, true], [0, 1, false], [499, 1, false], [500, 1, true], [500, 1, false]]],
    ['never holds more than the burst', 10, 2, [[10_000, 1, true], [10_000, 1, true], [10_000, 1, false]]],
    ['charges a cost by its size', 1, 10, [[0, 7, true], [0, 4, false], [0, 3, true], [0, 1, false]]],
    ['charges a cost above the burst as the whole burst', 1, 5, [[0, 50, true], [0, 1, false], [5000, 50, true]]],
    ['takes nothing for a refused cost', 1, 5, [[0, 3, true], [0, 3, false], [0, 2, true]]],
    ['takes nothing for a zero cost', 1, 1, [[0, 1, true], [0, 0, true], [0, 1, false]]],
  ])('%s', (_name, perSecond, burst, steps) => {
    const budget = new FrameBudget(perSecond, burst, 0);
    expect(steps.map(([at, cost]) => budget.take(cost, at))).toEqual(steps.map(([, , allowed]) => allowed));
  });
});
