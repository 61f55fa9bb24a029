import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IsString, Length, MaxLength } from 'class-validator';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { AppConfig } from '../config/config.schema';
import { ProviderRegistry } from '../providers/provider.registry';
import { TenantsService } from '../tenants/tenants.service';
import { InboundMessagingService, type InboundResult } from './inbound-messaging.service';

export class SimulatedInboundSmsDto {
  @IsString() @Length(1, 40) from!: string;
  @IsString() @Length(1, 40) to!: string;
  @IsString() @MaxLength(1600) body!: string;
}

/** Plays a customer texting in, through the same inbound path as a provider webhook. */
@Controller('v1/simulator')
@Roles('supervisor', 'admin')
export class SimulatorController {
  constructor(
    private readonly inbound: InboundMessagingService,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  @Post('inbound-sms')
  @HttpCode(202)
  receive(@CurrentPrincipal() principal: Principal, @Body() body: SimulatedInboundSmsDto): Promise<InboundResult> {
    this.requireSimulated(principal.tenantId);
    // Only into the caller's own tenant: the simulator is no way to write into another tenant.
    if (this.tenants.ownerOf(body.to)?.id !== principal.tenantId) throw DomainError.notFound(`a number ${body.to} of this tenant`);
    return this.inbound.receive({ provider: 'simulator', providerRef: `SM${newId()}`, from: body.from, to: body.to, body: body.body, media: [] });
  }

  /**
   * A tenant whose texts go through a real provider has real customers behind its numbers: a
   * simulated "STOP" would opt one out, any other text would put words in their mouth. For it the
   * simulator does not exist (404: no role or token could make it exist), unless the operator lets
   * it serve every tenant (`simulator.allTenants`, on in development, off in production).
   */
  private requireSimulated(tenantId: string): void {
    if (this.config.simulator.allTenants) return;
    const provider = this.providers.smsNameFor(this.tenants.get(tenantId));
    if (provider !== 'simulator') {
      throw new DomainError(ErrorCode.NotFound, `the simulator does not serve this tenant: its SMS provider is ${provider} (simulator.allTenants is off)`);
    }
  }
}
