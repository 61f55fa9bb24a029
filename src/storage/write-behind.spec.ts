import { composeStatements, markWriteBehind, splitWith } from './write-behind';

describe('splitWith', () => {
  it.each([
    ['select 1', { ctes: [], main: 'select 1' }],
    ['  insert into "m" ("a") values ($1)', { ctes: [], main: 'insert into "m" ("a") values ($1)' }],
    [
      'with "touched" as (update "c" set "x" = $1 where "id" = $2) insert into "i" ("id") values ($3)',
      { ctes: [{ name: 'touched', text: '"touched" as (update "c" set "x" = $1 where "id" = $2)' }], main: 'insert into "i" ("id") values ($3)' },
    ],
    [
      'with block as (select (1)), start as (select \')(\' as s from block) insert into e select 1 from start',
      { ctes: [{ name: 'block', text: 'block as (select (1))' }, { name: 'start', text: 'start as (select \')(\' as s from block)' }], main: 'insert into e select 1 from start' },
    ],
  ])('%s', (text, parts) => expect(splitWith(text)).toEqual(parts));

  it.each([
    'with recursive r as (select 1) select * from r',
    'with broken as (select 1 select 2',
  ])('refuses %s', (text) => expect(splitWith(text)).toBeUndefined());
});

describe('composeStatements', () => {
  it('keeps a single statement as it is', () => {
    const only = { text: 'insert into "m" ("a") values ($1)', values: [1] };
    expect(composeStatements([only])).toBe(only);
  });

  it('turns every statement but the last into a CTE, lifts their CTEs and renumbers their placeholders', () => {
    const composed = composeStatements([
      { text: 'with "touched" as (update "c" set "x" = $1 where "id" = $2) insert into "i" ("id", "note") values ($3, \'$1\')', values: ['x', 'c1', 'i1'] },
      { text: 'insert into "m" ("i", "body") values ($1, $2)', values: ['i1', 'hi'] },
      { text: 'with block as (select $1::int as lo) insert into "e" ("seq") select lo from block returning "seq"', values: [7] },
    ]);
    expect(composed).toEqual({
      text: 'with "touched" as (update "c" set "x" = $1 where "id" = $2), _wb0 as (insert into "i" ("id", "note") values ($3, \'$1\')), ' +
        '_wb1 as (insert into "m" ("i", "body") values ($4, $5)), block as (select $6::int as lo) insert into "e" ("seq") select lo from block returning "seq"',
      values: ['x', 'c1', 'i1', 'i1', 'hi', 7],
    });
  });

  it('gives up when two statements name a CTE alike (they are then sent one by one), every time', () => {
    const touching = { text: 'with touched as (update c set x = $1) insert into i (id) values ($2)', values: [1, 2] };
    expect(composeStatements([touching, touching])).toBeUndefined();
    expect(composeStatements([touching, touching])).toBeUndefined();
  });

  it('finds a sequence composed before by its texts, apart from a longer one starting alike, each with its own values', () => {
    const a = (v: number) => ({ text: 'insert into "a" ("x") values ($1)', values: [v] });
    const b = (v: number) => ({ text: 'insert into "b" ("y") values ($1)', values: [v] });
    const two = 'with _wb0 as (insert into "a" ("x") values ($1)) insert into "b" ("y") values ($2)';
    expect(composeStatements([a(1), b(2)])).toEqual({ text: two, values: [1, 2] });
    expect(composeStatements([a(1), b(2), a(3)])).toEqual({
      text: 'with _wb0 as (insert into "a" ("x") values ($1)), _wb1 as (insert into "b" ("y") values ($2)) insert into "a" ("x") values ($3)',
      values: [1, 2, 3],
    });
    expect(composeStatements([a(4), b(5)])).toEqual({ text: two, values: [4, 5] });
    expect(composeStatements([b(6), a(7)])!.text).toBe('with _wb0 as (insert into "b" ("y") values ($1)) insert into "a" ("x") values ($2)');
  });
});

describe('markWriteBehind', () => {
  it.each([
    'insert into "m" ("a") values ($1) returning "a"',
    'insert into "m" ("a") values ($1) on conflict do nothing',
    'update "m" set "a" = $1',
    'select 1',
  ])('refuses to let %s wait: its answer is not known in advance', (text) => {
    expect(() => markWriteBehind(text, 'defer')).toThrow(/only an insert/);
  });
});
