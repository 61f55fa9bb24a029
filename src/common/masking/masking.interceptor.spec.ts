import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of, tap, throwError } from 'rxjs';
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

  it('masks once when the controller and the handler both carry it (@Roles on both): the outer one masks, the inner passes on', async () => {
    const request = { principal: agent };
    const shared = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
    const seen: unknown[] = [];
    const handler: CallHandler = { handle: () => of({ to: '+447966197542' }) };
    const inner: CallHandler = { handle: () => interceptor.intercept(shared, { handle: () => handler.handle().pipe(tap((b) => seen.push(b))) }) };
    expect(await lastValueFrom(interceptor.intercept(shared, inner))).toEqual({ to: '*********7542' });
    expect(seen).toEqual([{ to: '+447966197542' }]);
  });

  it('leaves both clear for a pii supervisor', async () => {
    const failing: CallHandler = { handle: () => throwError(refusal) };
    const error = await lastValueFrom(interceptor.intercept(context(clear), failing)).catch((e: unknown) => e);
    expect((error as DomainError).detail).toContain('+14155550123');
  });
});
