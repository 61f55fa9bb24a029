import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import type { ConversationView } from '../conversation.view';
import { HandoverDto } from './dto/handover.dto';
import { HandoverService } from './handover.service';

/** Handing a conversation — chat, messages and a live call — to another agent or back to the queue. */
@Controller('v1/conversations')
export class HandoverController {
  constructor(private readonly handover: HandoverService) {}

  @Post(':id/transfer')
  @HttpCode(200)
  @Roles('agent', 'supervisor', 'admin')
  transfer(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: HandoverDto): Promise<ConversationView> {
    return this.handover.transfer(principal, id, body);
  }
}
