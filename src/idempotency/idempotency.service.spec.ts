import { callerScopedKey, canonicalJson, IdempotencyService } from './idempotency.service';

describe('request hashing for Idempotency-Key', () => {
  it('ignores key order but not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    const h = (body: unknown) => IdempotencyService.hash('POST', '/v1/conversations', body);
    expect(h({ a: 1, b: 2 })).toBe(h({ b: 2, a: 1 }));
    expect(h({ a: 1, b: 2 })).not.toBe(h({ a: 1, b: 3 }));
    expect(IdempotencyService.hash('POST', '/v1/x', {})).not.toBe(IdempotencyService.hash('POST', '/v1/y', {}));
  });
});

describe('caller-scoped Idempotency-Key', () => {
  it.each<[string, string, string, string]>([
    ['alice', 'k1', 'bob', 'k1'],
    ['a:b', 'c', 'a', 'b:c'],
    ['a"', 'b', 'a', '"b'],
    ['a', '","b', 'a","', 'b'],
  ])('keeps %j/%j apart from %j/%j', (subjectA, keyA, subjectB, keyB) => {
    expect(callerScopedKey(subjectA, keyA)).not.toBe(callerScopedKey(subjectB, keyB));
  });

  it('is the same for the same caller and key', () => {
    expect(callerScopedKey('alice', 'k1')).toBe(callerScopedKey('alice', 'k1'));
  });
});
