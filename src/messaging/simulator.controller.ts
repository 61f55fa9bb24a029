import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { SimulatedInboundSmsDto } from './dto/simulated-inbound-sms.dto';
import type { InboundResult } from './inbound-messaging.service';
import { SimulatorMessagingService } from './simulator-messaging.service';

/** Plays a customer texting in (pictures too), through the same inbound path as a provider webhook. */
@Controller('v1/simulator')
@Roles('supervisor', 'admin')
export class SimulatorController {
  constructor(private readonly simulator: SimulatorMessagingService) {}

  /** Its body limit is wider than the rest of the API's, to fit the pictures (simulator-body-limit.ts). */
  @Post('inbound-sms')
  @HttpCode(202)
  receive(@CurrentPrincipal() principal: Principal, @Body() body: SimulatedInboundSmsDto): Promise<InboundResult> {
    return this.simulator.receive(principal.tenantId, body);
  }
}
