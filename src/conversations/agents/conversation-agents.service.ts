import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { nowIso } from '../../common/ids';
import { UnitOfWork, type Work } from '../../unit-of-work/unit-of-work';
import type { ConversationView } from '../conversation.view';
import { ConversationsService } from '../conversations.service';
import { addRefusal, removeRefusal, type AgentsRefusal, type AgentsSituation } from './domain/conversation-agents';

/**
 * A second (third…) agent in a conversation (README "Handing a conversation over"): added beside
 * its own agent, they receive its events on their `agent:` topic (events/event-session.ts follows
 * `conversation.agent.added` and `…removed`), find it in their inbox and reach its calls' media.
 * The change, its event and its timeline entry commit together; the table's key makes two racing
 * adds of one agent one add and one 409.
 */
@Injectable()
export class ConversationAgentsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly conversations: ConversationsService,
  ) {}

  async add(principal: Principal, id: string, agentId: string): Promise<ConversationView> {
    const { tenantId } = principal;
    await this.uow.run(async (w) => {
      const situation = await this.situation(w, principal, id, agentId);
      refuse(addRefusal(situation));
      const at = nowIso();
      const by = principal.agentId;
      if (!(await w.conversationAgents.add(tenantId, { conversationId: id, agentId, addedBy: by, addedAt: at }))) {
        throw new DomainError(ErrorCode.Conflict, `${agentId} is already an agent of the conversation`);
      }
      const data = { agentId, by };
      await w.timeline.append(tenantId, { conversationId: id, interactionId: null, kind: 'agent_added', at, data });
      await w.conversations.touch(tenantId, id, at);
      await w.emit(tenantId, [{ type: 'conversation.agent.added', conversationId: id, agentId: situation.conversation.agentId, data }], at);
    });
    return this.conversations.get(principal, id);
  }

  async remove(principal: Principal, id: string, agentId: string): Promise<ConversationView> {
    const { tenantId } = principal;
    await this.uow.run(async (w) => {
      const situation = await this.situation(w, principal, id, agentId);
      refuse(removeRefusal(situation));
      const at = nowIso();
      if (!(await w.conversationAgents.remove(tenantId, id, agentId))) throw new DomainError(ErrorCode.NotFound, `${agentId} is not an agent of the conversation`);
      const data = { agentId, by: principal.agentId, reason: 'removed' as const };
      await w.timeline.append(tenantId, { conversationId: id, interactionId: null, kind: 'agent_removed', at, data });
      await w.conversations.touch(tenantId, id, at);
      await w.emit(tenantId, [{ type: 'conversation.agent.removed', conversationId: id, agentId: situation.conversation.agentId, data }], at);
    });
    return this.conversations.get(principal, id);
  }

  /** The conversations an agent was added to (their socket's `agent:` topic follows them). */
  conversationsOf(tenantId: string, agentId: string): Promise<string[]> {
    return this.uow.direct.conversationAgents.conversationsOf(tenantId, agentId);
  }

  private async situation(w: Work, principal: Principal, id: string, agentId: string): Promise<AgentsSituation> {
    const conversation = await w.conversations.findById(principal.tenantId, id);
    if (!conversation) throw DomainError.notFound('conversation');
    const added = (await w.conversationAgents.of(principal.tenantId, [id])).map((r) => r.agentId);
    const supervises = principal.roles.includes('supervisor') || principal.roles.includes('admin');
    return { by: { agentId: principal.agentId, supervises }, conversation, added, agentId };
  }
}

function refuse(refusal: AgentsRefusal | undefined): void {
  if (refusal) throw new DomainError(refusal.code, refusal.message);
}

/**
 * The conversation now belongs to `agentId` (a transfer or an assignment): an added agent who
 * became its own agent is no longer an added one. Returns the event to emit with the change, or
 * nothing when they were not added.
 */
export async function promoteAddedAgent(
  w: Work, tenantId: string, conversationId: string, agentId: string | null, by: string, at: string,
): Promise<{ type: 'conversation.agent.removed'; conversationId: string; agentId: string; data: { agentId: string; by: string; reason: 'transferred' } } | undefined> {
  if (agentId === null || !(await w.conversationAgents.remove(tenantId, conversationId, agentId))) return undefined;
  const data = { agentId, by, reason: 'transferred' as const };
  await w.timeline.append(tenantId, { conversationId, interactionId: null, kind: 'agent_removed', at, data });
  return { type: 'conversation.agent.removed', conversationId, agentId, data };
}
