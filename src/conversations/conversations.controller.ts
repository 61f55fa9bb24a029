import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import type { Page } from '../common/http/paging';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { answerOnce, Idempotent } from '../idempotency/idempotent';
import type { ConversationView } from './conversation.view';
import { ConversationsService } from './conversations.service';
import { CreateConversationDto, ListConversationsQuery, WrapUpDto } from './dto/conversation.dto';

@Controller('v1/conversations')
@Roles('agent', 'supervisor', 'admin')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** 201 with a new conversation; 200 with the existing one when the chat session is already linked. */
  @Post()
  @Idempotent()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateConversationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConversationView> {
    return answerOnce(this.idempotency, reply, async () => {
      const result = await this.conversations.create(principal, body);
      void reply.status(result.created ? 201 : 200);
      return result.conversation;
    });
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListConversationsQuery): Promise<Page<ConversationView>> {
    return this.conversations.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConversationView> {
    return this.conversations.get(principal, id);
  }

  @Post(':id/chat/end')
  @HttpCode(200)
  endChat(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConversationView> {
    return this.conversations.endChat(principal, id);
  }

  @Post(':id/wrap-up')
  @HttpCode(200)
  wrapUp(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: WrapUpDto): Promise<ConversationView> {
    return this.conversations.wrapUp(principal, id, body);
  }
}
