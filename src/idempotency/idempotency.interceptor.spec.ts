import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import type { Principal } from '../common/auth/principal';
import type { TenantLookup } from '../common/auth/tenant-lookup';
import { MaskingInterceptor } from '../common/masking/masking.interceptor';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import type { IdempotencyService } from './idempotency.service';

describe('IdempotencyInterceptor', () => {
  const principal: Principal = { agentId: 'alice', tenantId: 't', roles: ['agent'], pii: false };
  const context = (request: object) => ({
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  }) as unknown as ExecutionContext;
  const interceptor = new IdempotencyInterceptor({} as IdempotencyService);
  const handler: CallHandler = { handle: () => of({ id: 'c1' }) };

  it('refuses to run outside the masking interceptor (its cache must hold answers in clear)', () => {
    expect(() => interceptor.intercept(context({ principal, headers: {} }), handler)).toThrow(/MaskingInterceptor must run before/);
  });

  it('runs inside it', async () => {
    const masking = new MaskingInterceptor({ find: () => ({ maskSensitiveData: false }) } satisfies TenantLookup);
    const request = { principal, headers: {} };
    const inner: CallHandler = { handle: () => interceptor.intercept(context(request), handler) as ReturnType<CallHandler['handle']> };
    expect(await lastValueFrom(masking.intercept(context(request), inner))).toEqual({ id: 'c1' });
  });
});
