import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { AGENT_ID, AGENT_ID_HINT } from '../../common/agent-id';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { ApiDoc } from '../../openapi/api-doc.decorator';
import type { ConversationView } from '../conversation.view';
import { CONVERSATION_AGENTS_DOCS } from './conversation-agents.docs';
import { ConversationAgentsService } from './conversation-agents.service';
import { AddAgentDto } from './dto/add-agent.dto';

/** A second (third…) agent in a conversation, beside its own agent. */
@Controller('v1/conversations')
@Roles('agent', 'supervisor', 'admin')
export class ConversationAgentsController {
  constructor(private readonly agents: ConversationAgentsService) {}

  @Post(':id/agents')
  @HttpCode(200)
  @ApiDoc(CONVERSATION_AGENTS_DOCS.add)
  add(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: AddAgentDto): Promise<ConversationView> {
    return this.agents.add(principal, id, body.agentId);
  }

  @Delete(':id/agents/:agentId')
  @HttpCode(200)
  @ApiDoc(CONVERSATION_AGENTS_DOCS.remove)
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('agentId') agentId: string): Promise<ConversationView> {
    if (!AGENT_ID.test(agentId)) throw DomainError.invalidField('agentId', AGENT_ID_HINT);
    return this.agents.remove(principal, id, agentId);
  }
}
