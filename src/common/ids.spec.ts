import { newId, pooledRandom } from './ids';

describe('newId', () => {
  it('gives distinct ULIDs that sort in the order they were made, also past one pool of randomness', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('draws byte fractions in [0, 1) from its pool, refilling it when it runs out', () => {
    const random = pooledRandom(64);
    const draws = Array.from({ length: 20_000 }, random);
    for (const x of draws) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(Number.isInteger(x * 256)).toBe(true);
    }
    expect(new Set(draws).size).toBe(256);
    // Refills are fresh bytes, not the first pool over again.
    expect(draws.slice(64, 128)).not.toEqual(draws.slice(0, 64));
  });
});
