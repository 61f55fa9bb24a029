import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { TenantsService } from '../../tenants/tenants.service';
import type { Principal } from '../auth/principal';
import { maskView, seesClearData } from './view-masking';

/** Masks every REST answer for callers who may not see personal data in clear (a view only). */
@Injectable()
export class MaskingInterceptor implements NestInterceptor {
  constructor(private readonly tenants: TenantsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    const tenant = principal && this.tenants.find(principal.tenantId);
    if (!principal || !tenant || seesClearData(principal, tenant.maskSensitiveData)) return next.handle();
    return next.handle().pipe(map((body: unknown) => maskView(body)));
  }
}
