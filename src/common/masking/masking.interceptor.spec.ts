import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of, throwError } from 'rxjs';
import type { Principal } from '../auth/principal';
import type { TenantLookup } from '../auth/tenant-lookup';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { MaskingInterceptor } from './masking.interceptor';

describe('MaskingInterceptor', () => {
  const tenants: TenantLookup = { find: () => ({ maskSensitiveData: true }) };
  const interceptor = new MaskingInterceptor(tenants);
  const context = (principal: Principal) => ({
    switchToHttp: () => ({ getRequest: () => ({ principal }) }),
  }) as unknown as ExecutionContext;
  const agent: Principal = { agentId: 'alice', tenantId: 't', roles: ['agent'], pii: false };
  const clear: Principal = { agentId: 'sam', tenantId: 't', roles: ['supervisor'], pii: true };
  const refusal = () => new DomainError(ErrorCode.BadGateway, "the provider did not carry out transfer: The 'To' number +14155550123 is not valid",
    [{ field: 'to', message: 'is +14155550123' }]);

  it('masks the answer and the problem a masked agent receives', async () => {
    const body: CallHandler = { handle: () => of({ to: '+447966197542', context: { 'melissa@gmail.com': 1 } }) };
    expect(await lastValueFrom(interceptor.intercept(context(agent), body))).toEqual({ to: '*********7542', context: { 'm******@gmail.com': 1 } });
    const failing: CallHandler = { handle: () => throwError(refusal) };
    const error = await lastValueFrom(interceptor.intercept(context(agent), failing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: ErrorCode.BadGateway,
      detail: "the provider did not carry out transfer: The 'To' number ********0123 is not valid",
      errors: [{ field: 'to', message: 'is ********0123' }],
    });
  });

  it('leaves both clear for a pii supervisor', async () => {
    const failing: CallHandler = { handle: () => throwError(refusal) };
    const error = await lastValueFrom(interceptor.intercept(context(clear), failing)).catch((e: unknown) => e);
    expect((error as DomainError).detail).toContain('+14155550123');
  });
});
