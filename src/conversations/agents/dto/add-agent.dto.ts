import { IsString, Matches } from 'class-validator';
import { AGENT_ID, AGENT_ID_HINT } from '../../../common/agent-id';

/** POST /v1/conversations/:id/agents: the agent to add beside the conversation's own. */
export class AddAgentDto {
  @IsString() @Matches(AGENT_ID, { message: AGENT_ID_HINT })
  agentId!: string;
}
