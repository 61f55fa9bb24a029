import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../openapi/api-doc.decorator';
import { PROVIDER_CREDENTIALS_DOCS } from './provider-credentials.docs';
import { ProviderCredentialsService, type CredentialsView } from './provider-credentials.service';

/**
 * The caller's tenant's own accounts with providers (admins). The body's fields depend on the
 * provider, so it is checked against the provider's descriptor (domain/account-input.ts), not a DTO.
 */
@Controller('v1/admin/providers')
@Roles('admin')
export class ProviderCredentialsController {
  constructor(private readonly credentials: ProviderCredentialsService) {}

  @Get('credentials')
  @ApiDoc(PROVIDER_CREDENTIALS_DOCS.list)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: CredentialsView[] }> {
    return this.credentials.list(principal);
  }

  @Put(':provider/credentials')
  @ApiDoc(PROVIDER_CREDENTIALS_DOCS.put)
  put(@CurrentPrincipal() principal: Principal, @Param('provider') provider: string, @Body() body: unknown): Promise<CredentialsView> {
    return this.credentials.put(principal, provider, body);
  }

  @Delete(':provider/credentials')
  @ApiDoc(PROVIDER_CREDENTIALS_DOCS.delete)
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('provider') provider: string): Promise<void> {
    await this.credentials.delete(principal, provider);
  }
}
