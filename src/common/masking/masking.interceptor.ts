import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, map, throwError, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { TENANT_LOOKUP, type TenantLookup } from '../auth/tenant-lookup';
import { DomainError } from '../errors/domain-error';
import { maskSensitiveText } from './sensitive';
import { maskView, seesClearData } from './view-masking';

/** Set on a request once a MaskingInterceptor has taken it: a second one on the same route passes it on. */
const TAKEN = Symbol('masking');

/** Whether a MaskingInterceptor wraps this request's handling (checked by interceptors that must sit inside it). */
export function maskingRan(request: object): boolean {
  return (request as { [TAKEN]?: true })[TAKEN] === true;
}

/**
 * Masks every REST answer for callers who may not see personal data in clear (a view only): the
 * body, and the detail of a problem document (a provider's refusal quotes the number it refused).
 * Attached by @Roles() rather than globally: only a route declaring roles ever has a caller
 * (JwtAuthGuard), and as a global interceptor it cost every webhook Nest's interceptor chain (rxjs,
 * AsyncResource.bind) for nothing: the inbound-SMS webhook's user CPU on SQLite fell from about 320
 * to 270 µs per message without it.
 */
@Injectable()
export class MaskingInterceptor implements NestInterceptor {
  constructor(@Inject(TENANT_LOOKUP) private readonly tenants: TenantLookup) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ principal?: Principal; [TAKEN]?: true }>();
    // Declared on both the controller and the handler: the outer one (the controller's) masks.
    if (request[TAKEN]) return next.handle();
    request[TAKEN] = true;
    const principal = request.principal;
    const tenant = principal && this.tenants.find(principal.tenantId);
    if (!principal || !tenant || seesClearData(principal, tenant.maskSensitiveData)) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => maskView(body)),
      catchError((error: unknown) => throwError(() => maskedError(error))),
    );
  }
}

/** A DomainError with its texts masked; anything else answers a fixed text and passes as it is. */
export function maskedError(error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const masked = new DomainError(error.code, maskSensitiveText(error.detail), error.errors.map((e) => ({
    field: maskSensitiveText(e.field), message: maskSensitiveText(e.message),
  })));
  masked.retryAfterSeconds = error.retryAfterSeconds;
  masked.stack = error.stack;
  return masked;
}
