import { SocketQuota } from './socket-quota';

describe('SocketQuota', () => {
  it('admits up to the limit per key and frees a place on release, once', () => {
    const quota = new SocketQuota(2);
    const first = quota.acquire('t1')!;
    const second = quota.acquire('t1')!;
    expect(quota.acquire('t1')).toBeUndefined();
    expect(quota.acquire('t2')).toBeDefined();
    first();
    first();
    expect(quota.count('t1')).toBe(1);
    const third = quota.acquire('t1')!;
    expect(quota.acquire('t1')).toBeUndefined();
    second();
    third();
    third();
    expect(quota.count('t1')).toBe(0);
  });
});
