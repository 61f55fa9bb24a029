import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../openapi/api-doc.decorator';
import { TenantNumberDto, TenantPatchDto } from './tenant-admin.dto';
import { TENANT_ADMIN_DOCS } from './tenant-admin.docs';
import { TenantAdminService, type TenantAdminView } from './tenant-admin.service';

/** The admin API over the caller's own tenant: its providers, policies and numbers. */
@Controller('v1/admin/tenants')
@Roles('admin')
export class TenantAdminController {
  constructor(private readonly admin: TenantAdminService) {}

  @Get()
  @ApiDoc(TENANT_ADMIN_DOCS.list)
  list(@CurrentPrincipal() principal: Principal): { items: TenantAdminView[] } {
    return this.admin.list(principal);
  }

  @Get(':tenantId')
  @ApiDoc(TENANT_ADMIN_DOCS.get)
  get(@CurrentPrincipal() principal: Principal, @Param('tenantId') tenantId: string): TenantAdminView {
    return this.admin.get(principal, tenantId);
  }

  @Patch(':tenantId')
  @ApiDoc(TENANT_ADMIN_DOCS.patch)
  patch(@CurrentPrincipal() principal: Principal, @Param('tenantId') tenantId: string, @Body() body: TenantPatchDto): Promise<TenantAdminView> {
    return this.admin.update(principal, tenantId, body);
  }

  @Put(':tenantId/numbers/:number')
  @ApiDoc(TENANT_ADMIN_DOCS.putNumber)
  putNumber(
    @CurrentPrincipal() principal: Principal, @Param('tenantId') tenantId: string, @Param('number') number: string, @Body() body: TenantNumberDto,
  ): Promise<TenantAdminView> {
    return this.admin.putNumber(principal, tenantId, number, body.provider ?? null);
  }

  @Delete(':tenantId/numbers/:number')
  @ApiDoc(TENANT_ADMIN_DOCS.deleteNumber)
  @HttpCode(204)
  async deleteNumber(@CurrentPrincipal() principal: Principal, @Param('tenantId') tenantId: string, @Param('number') number: string): Promise<void> {
    await this.admin.deleteNumber(principal, tenantId, number);
  }
}
