import { memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import type { AppConfig } from '../config/config.schema';
import { ErrorCode } from '../common/errors/domain-error';
import { callerScopedKey, IdempotencyService } from './idempotency.service';

/** The key's life: reserve, replay, refuse a reuse or a request still running, free what was abandoned. */
describe('IdempotencyService with a store', () => {
  let uow: MemoryUnitOfWork;
  let service: IdempotencyService;
  const alice = { tenantId: 'acme', agentId: 'alice' };

  beforeEach(() => {
    uow = memoryUnitOfWork();
    service = new IdempotencyService(uow, { idempotency: { ttlHours: 24 } } as AppConfig);
  });

  it('reserves a new key, then replays the stored response to the same request', async () => {
    expect(await service.begin(alice, 'k1', 'h1')).toBeUndefined();
    await service.complete(alice, 'k1', { statusCode: 201, body: { id: 'c1' } });
    expect(await service.begin(alice, 'k1', 'h1')).toEqual({ statusCode: 201, body: { id: 'c1' } });
  });

  it('refuses the key with another request (422) and while its first request runs (409)', async () => {
    await service.begin(alice, 'k1', 'h1');
    await expect(service.begin(alice, 'k1', 'h1')).rejects.toMatchObject({ code: ErrorCode.IdempotencyInProgress });
    await service.complete(alice, 'k1', { statusCode: 201, body: {} });
    await expect(service.begin(alice, 'k1', 'h2')).rejects.toMatchObject({ code: ErrorCode.IdempotencyMismatch });
  });

  it("keeps another caller's key apart, and frees a released key for a retry", async () => {
    await service.begin(alice, 'k1', 'h1');
    expect(await service.begin({ tenantId: 'acme', agentId: 'bob' }, 'k1', 'h2')).toBeUndefined();
    await service.release(alice, 'k1');
    expect(await service.begin(alice, 'k1', 'h2')).toBeUndefined();
  });

  it('takes over a reservation abandoned by a request that never finished, and a key past its TTL', async () => {
    const old = (ms: number) => new Date(Date.now() - ms).toISOString();
    await uow.direct.idempotency.reserve('acme', callerScopedKey('alice', 'pending'), 'h1', old(61_000));
    await uow.direct.idempotency.reserve('acme', callerScopedKey('alice', 'expired'), 'h1', old(25 * 3_600_000));
    await uow.direct.idempotency.complete('acme', callerScopedKey('alice', 'expired'), 201, '{}');

    expect(await service.begin(alice, 'pending', 'h2')).toBeUndefined();
    expect(await service.begin(alice, 'expired', 'h2')).toBeUndefined();
    expect(await service.purgeExpired()).toBe(0);
  });
});
