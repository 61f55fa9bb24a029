/**
 * Agents added to a conversation beside its own agent (the primary, `agentId`), pure. Added
 * agents receive the conversation's events on their `agent:` topics, find it in their inbox and
 * reach its calls' media; the primary stays the one it is assigned to (routing, wrap-up, SLA).
 *
 * - Who may add: the conversation's agent, a supervisor or an admin (403 otherwise; an added agent
 *   may not bring in a third).
 * - Who may remove: the same, and an added agent themselves (leaving it).
 * - The primary is not added (409: already its agent) nor removed this way (409: transfer it).
 * - An agent already added → 409; one not added → 404 on removal.
 * - A closed conversation takes no new agent (409); removing one from it is allowed (tidying up).
 * - At most MAX_ADDED_AGENTS added agents (422): every event goes to each of them.
 * - Agents are not registered in the gateway (a token names its agent), so any well-formed id is
 *   accepted: an agent who never connects simply receives nothing.
 */
import { ErrorCode } from '../../../common/errors/domain-error';

export const MAX_ADDED_AGENTS = 10;

export interface AgentsSituation {
  /** The caller: their agent id and whether they supervise (supervisor or admin). */
  by: { agentId: string; supervises: boolean };
  conversation: { agentId: string | null; status: 'active' | 'wrap-up' | 'closed' };
  /** The agents added so far. */
  added: readonly string[];
  /** The agent to add or remove. */
  agentId: string;
}

export type AgentsRefusal = { code: ErrorCode; message: string };

/** Why the agent may not be added (403, 409 or 422), or undefined. */
export function addRefusal(s: AgentsSituation): AgentsRefusal | undefined {
  const { by, conversation, added, agentId } = s;
  if (conversation.agentId !== by.agentId && !by.supervises) {
    return { code: ErrorCode.Forbidden, message: "only the conversation's agent or a supervisor may add an agent to it" };
  }
  if (conversation.status === 'closed') return { code: ErrorCode.Conflict, message: 'the conversation is closed' };
  if (conversation.agentId === agentId) return { code: ErrorCode.Conflict, message: `${agentId} is already the conversation's agent` };
  if (added.includes(agentId)) return { code: ErrorCode.Conflict, message: `${agentId} is already an agent of the conversation` };
  if (added.length >= MAX_ADDED_AGENTS) {
    return { code: ErrorCode.Unprocessable, message: `a conversation has at most ${MAX_ADDED_AGENTS} added agents: remove one first` };
  }
  return undefined;
}

/** Why the agent may not be removed (403, 404 or 409), or undefined. */
export function removeRefusal(s: AgentsSituation): AgentsRefusal | undefined {
  const { by, conversation, added, agentId } = s;
  const leaving = by.agentId === agentId && added.includes(agentId);
  if (conversation.agentId !== by.agentId && !by.supervises && !leaving) {
    return { code: ErrorCode.Forbidden, message: "only the conversation's agent, a supervisor or the added agent themselves may remove an agent from it" };
  }
  if (conversation.agentId === agentId) {
    return { code: ErrorCode.Conflict, message: `${agentId} is the conversation's own agent and cannot be removed: transfer the conversation instead` };
  }
  if (!added.includes(agentId)) return { code: ErrorCode.NotFound, message: `${agentId} is not an agent of the conversation` };
  return undefined;
}

/** Every agent of the conversation: its own agent first (when it has one), then those added, in the order they were. */
export function agentsOf(primary: string | null, added: readonly string[]): string[] {
  return primary === null ? [...added] : [primary, ...added.filter((a) => a !== primary)];
}
