import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import type { CallView } from '../call.view';
import { InboundCallsService } from './inbound-calls.service';
import { SimulatedInboundCallsService, type SimulatedCall } from './simulated-inbound-calls.service';

export class SimulatedInboundCallDto {
  /** The caller's number. */
  @IsString() @MaxLength(40) from!: string;
  /** One of the tenant's numbers. */
  @IsString() @MaxLength(40) to!: string;
}

@Controller('v1')
export class InboundCallsController {
  constructor(private readonly inbound: InboundCallsService, private readonly simulator: SimulatedInboundCallsService) {}

  /** The console's answer button: 200 for the one agent who wins, 409 for every other. */
  @Post('calls/:id/answer')
  @HttpCode(200)
  @Roles('agent', 'supervisor', 'admin')
  answer(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CallView> {
    return this.inbound.answer(principal, id);
  }

  /** Plays a customer calling one of the tenant's numbers (simulator voice provider). */
  @Post('simulator/inbound-call')
  @HttpCode(202)
  @Roles('supervisor', 'admin')
  simulate(@CurrentPrincipal() principal: Principal, @Body() body: SimulatedInboundCallDto): Promise<SimulatedCall> {
    return this.simulator.call(principal.tenantId, body.from, body.to);
  }
}
