import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';
import { Omittable } from '../../common/errors/validation';
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
  /** The keys the caller presses when the queue timeout asks them to choose (1: voicemail, 2: callback); left out: none. */
  @Omittable() @IsString() @Matches(/^[0-9*#]{1,20}$/, { message: 'must be 1 to 20 of 0-9 * #' }) digits?: string;
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
    return this.simulator.call(principal.tenantId, body.from, body.to, body.digits);
  }
}
