import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, map, throwError, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import type { TenantLookup } from '../auth/tenant-lookup';
import { DomainError } from '../errors/domain-error';
import { maskSensitiveText } from './sensitive';
import { maskView, seesClearData } from './view-masking';

/**
 * Masks every REST answer for callers who may not see personal data in clear (a view only): the
 * body, and the detail of a problem document (a provider's refusal quotes the number it refused).
 * Built by app.module.ts, which passes in the tenants.
 */
export class MaskingInterceptor implements NestInterceptor {
  constructor(private readonly tenants: TenantLookup) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
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
