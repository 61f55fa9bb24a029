import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IsString, Length, MaxLength } from 'class-validator';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { TenantsService } from '../tenants/tenants.service';
import { InboundMessagingService, type InboundResult } from './inbound-messaging.service';

export class SimulatedInboundSmsDto {
  @IsString() @Length(1, 40) from!: string;
  @IsString() @Length(1, 40) to!: string;
  @IsString() @MaxLength(1600) body!: string;
}

/** Plays a customer texting in, through the same inbound path as a provider webhook. */
@Controller('v1/simulator')
export class SimulatorController {
  constructor(private readonly inbound: InboundMessagingService, private readonly tenants: TenantsService) {}

  @Post('inbound-sms')
  @HttpCode(202)
  receive(@CurrentPrincipal() principal: Principal, @Body() body: SimulatedInboundSmsDto): Promise<InboundResult> {
    // Only into the caller's own tenant: the simulator is no way to write into another tenant.
    if (this.tenants.ownerOf(body.to)?.id !== principal.tenantId) throw DomainError.notFound(`a number ${body.to} of this tenant`);
    return this.inbound.receive({ provider: 'simulator', providerRef: `SM${newId()}`, from: body.from, to: body.to, body: body.body, media: [] });
  }
}
