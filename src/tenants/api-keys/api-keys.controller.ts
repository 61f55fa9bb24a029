import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../openapi/api-doc.decorator';
import { API_KEY_DOCS } from './api-keys.docs';
import { CreateApiKeyDto } from './api-keys.dto';
import { ApiKeysService, type ApiKeyView } from './api-keys.service';

/** The caller's tenant's API keys (admins). */
@Controller('v1/admin/api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiDoc(API_KEY_DOCS.create)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<ApiKeyView & { key: string }> {
    return this.keys.create(principal, body);
  }

  @Get()
  @ApiDoc(API_KEY_DOCS.list)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: ApiKeyView[] }> {
    return this.keys.list(principal);
  }

  @Delete(':keyId')
  @ApiDoc(API_KEY_DOCS.revoke)
  @HttpCode(204)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('keyId') keyId: string): Promise<void> {
    await this.keys.revoke(principal, keyId);
  }
}
