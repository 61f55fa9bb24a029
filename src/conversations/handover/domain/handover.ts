/**
 * Handing a whole conversation — its chat, its SMS thread and a live call — to another agent or
 * back to the queue, pure. The conversation's agent may hand it over; a supervisor or admin may
 * hand over anyone's. A live call goes with the conversation: the new agent's device joins it
 * (a conference party) and the previous agent stays on until they leave it; a live call cannot go
 * back to the queue, as the gateway has no voice queue to hold a customer in.
 */
import { ErrorCode } from '../../../common/errors/domain-error';

export type HandoverTarget = { agentId: string } | { queue: true };

export interface HandoverSituation {
  /** The caller: their agent id and whether they supervise (supervisor or admin). */
  by: { agentId: string; supervises: boolean };
  conversation: { agentId: string | null; status: 'active' | 'wrap-up' | 'closed' };
  target: HandoverTarget;
  /** The conversation's live call, if any. */
  liveCallId: string | null;
  /** The new agent's device, for a live call to reach them. */
  endpoint: string | undefined;
}

export type HandoverRefusal = { code: ErrorCode; field?: string; message: string };

/** Why the hand-over may not happen (the error code says 403, 409 or 422), or undefined. */
export function handoverRefusal(s: HandoverSituation): HandoverRefusal | undefined {
  const { by, conversation, target } = s;
  if (conversation.status === 'closed') return { code: ErrorCode.Conflict, message: 'the conversation is closed' };
  if (conversation.agentId !== by.agentId && !by.supervises) {
    return { code: ErrorCode.Forbidden, message: "only the conversation's agent or a supervisor may hand it over" };
  }
  if ('queue' in target) {
    if (conversation.agentId === null) return { code: ErrorCode.Conflict, message: 'the conversation is already in the queue' };
    if (s.liveCallId) return { code: ErrorCode.Conflict, message: 'a conversation with a live call cannot go back to the queue: hand it to an agent' };
    if (s.endpoint !== undefined) return { code: ErrorCode.Unprocessable, field: 'endpoint', message: 'is only for a hand-over to an agent' };
    return undefined;
  }
  if (conversation.agentId === target.agentId) return { code: ErrorCode.Conflict, message: `the conversation is already ${target.agentId}'s` };
  if (s.liveCallId && s.endpoint === undefined) {
    return { code: ErrorCode.Unprocessable, field: 'endpoint', message: "is required: the conversation has a live call, which goes to the new agent's device" };
  }
  if (!s.liveCallId && s.endpoint !== undefined) return { code: ErrorCode.Unprocessable, field: 'endpoint', message: 'is only for a conversation with a live call' };
  return undefined;
}

/** The agent the conversation goes to (null: the queue). */
export function handoverTo(target: HandoverTarget): string | null {
  return 'queue' in target ? null : target.agentId;
}
