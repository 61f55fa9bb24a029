import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { seesClearData } from '../common/masking/view-masking';
import { TenantsService } from '../tenants/tenants.service';
import { meView, type MeView } from './me.view';

/**
 * `GET /v1/me`: who the token names and what a desktop needs of its tenant's settings (the SMS
 * compose limit, the wrap-up reasons, whether calls need consent), so no desktop hard-codes them.
 */
@Controller('v1/me')
@Roles('agent', 'supervisor', 'admin')
export class MeController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  me(@CurrentPrincipal() principal: Principal): MeView {
    const tenant = this.tenants.get(principal.tenantId);
    return meView(principal, tenant, seesClearData(principal, tenant.maskSensitiveData));
  }
}
