import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { AGENT_ID, AGENT_ID_HINT } from '../common/agent-id';
import { IsString, Matches } from 'class-validator';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import type { ConversationView } from '../conversations/conversation.view';
import { AssignmentService } from './assignment.service';

export class AssignDto {
  /** The agent's id as in their token (and their `agent:<id>` topic). */
  @IsString() @Matches(AGENT_ID, { message: AGENT_ID_HINT })
  agentId!: string;
}

/** Who handles a conversation: claimed from the queue, assigned by a supervisor, released back. */
@Controller('v1/conversations')
export class AssignmentController {
  constructor(private readonly assignments: AssignmentService) {}

  /** 200 for the one claim that wins (or the agent's own conversation again); 409 for every other. */
  @Post(':id/claim')
  @HttpCode(200)
  @Roles('agent', 'supervisor', 'admin')
  claim(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConversationView> {
    return this.assignments.claim(principal, id);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles('supervisor', 'admin')
  assign(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: AssignDto): Promise<ConversationView> {
    return this.assignments.assign(principal, id, body.agentId);
  }

  @Post(':id/release')
  @HttpCode(200)
  @Roles('agent', 'supervisor', 'admin')
  release(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConversationView> {
    return this.assignments.release(principal, id);
  }
}
