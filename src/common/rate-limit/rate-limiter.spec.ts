import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    const limiter = new RateLimiter(2, 3);
    const t = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('a', t).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', t)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', t).allowed).toBe(true);
    expect(limiter.take('a', t + 499).allowed).toBe(false);
    expect(limiter.take('a', t + 500).allowed).toBe(true);
    expect(limiter.take('a', t + 500).allowed).toBe(false);
  });

  it('says when the next token comes at slow rates', () => {
    const limiter = new RateLimiter(0.1, 1);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('is off at rate 0, and forgets the least recently used keys beyond its bound', () => {
    const off = new RateLimiter(0, 0);
    expect(Array.from({ length: 100 }, () => off.take('a').allowed).every(Boolean)).toBe(true);
    const small = new RateLimiter(1, 1, 2);
    small.take('a', 0);
    small.take('b', 0);
    small.take('c', 0); // evicts a
    expect(small.take('a', 0).allowed).toBe(true);
    expect(small.take('c', 0).allowed).toBe(false);
  });
});
