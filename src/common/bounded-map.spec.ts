import { remember } from './bounded-map';

describe('remember (a map of at most max entries, the oldest going first)', () => {
  it.each<[string, Array<[string, number]>, number, Array<[string, number]>]>([
    ['keeps every entry below the bound', [['a', 1], ['b', 2]], 3, [['a', 1], ['b', 2]]],
    ['drops the oldest once full', [['a', 1], ['b', 2], ['c', 3]], 2, [['b', 2], ['c', 3]]],
    ['keeps a key set again where it was, with its new value', [['a', 1], ['b', 2], ['a', 3]], 3, [['a', 3], ['b', 2]]],
    ['with a bound of one keeps only the last', [['a', 1], ['b', 2], ['c', 3]], 1, [['c', 3]]],
  ])('%s', (_name, entries, max, expected) => {
    const map = new Map<string, number>();
    for (const [key, value] of entries) remember(map, key, value, max);
    expect([...map]).toEqual(expected);
  });
});
