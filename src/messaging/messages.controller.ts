import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { answerOnce, Idempotent } from '../idempotency/idempotent';
import { SendMessageDto } from './dto/send-message.dto';
import type { MessageView } from './message.view';
import { OutboundMessagingService } from './outbound-messaging.service';

@Controller('v1')
@Roles('agent', 'supervisor', 'admin')
export class MessagesController {
  constructor(
    private readonly outbound: OutboundMessagingService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** 202: the message is recorded and handed to the provider; delivery reports follow as events. */
  @Post('conversations/:id/messages')
  @HttpCode(202)
  @Idempotent()
  send(
    @CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SendMessageDto, @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageView> {
    return answerOnce(this.idempotency, reply, () => this.outbound.send(principal, id, body));
  }

  @Get('messages/:id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<MessageView> {
    return this.outbound.view(principal.tenantId, id);
  }
}
