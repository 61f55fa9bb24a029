import { Equals, IsString, Matches } from 'class-validator';
import { AGENT_ID, AGENT_ID_HINT } from '../../../common/agent-id';
import { Omittable } from '../../../common/errors/validation';
import { AGENT_ENDPOINT } from '../../../calls/domain/agent-endpoint';

/** POST /v1/conversations/:id/transfer: `{ agentId, endpoint? }` or `{ queue: true }`. */
export class HandoverDto {
  @Omittable() @IsString() @Matches(AGENT_ID, { message: AGENT_ID_HINT })
  agentId?: string;

  @Omittable() @Equals(true, { message: 'must be true' })
  queue?: true;

  /** The new agent's device, when a live call goes with the conversation. */
  @Omittable() @IsString() @Matches(AGENT_ENDPOINT, { message: 'must be a sip: URI, an E.164 number or user:<name>' })
  endpoint?: string;
}
