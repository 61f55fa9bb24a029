import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { nowIso } from '../common/ids';
import type { ConversationView } from '../conversations/conversation.view';
import { ConversationsService } from '../conversations/conversations.service';
import type { Conversation, NewEvent } from '../conversations/domain/conversation';
import { promoteAddedAgent } from '../conversations/agents/conversation-agents.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

/** Who a conversation goes to (`to`, null: the queue), decided from the conversation as it is now. */
type Decide = (conversation: Conversation) => { to: string | null } | 'unchanged';

/**
 * Claim, assign and release. Each is a conditional update on the agent the conversation had when
 * read, so among racing requests exactly one changes it; the others get 409. The change, its
 * events and its timeline entries commit together.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly conversations: ConversationsService,
  ) {}

  /** An agent takes a conversation from the queue. */
  claim(principal: Principal, id: string): Promise<ConversationView> {
    return this.change(principal, id, (c) => {
      if (c.agentId === principal.agentId) return 'unchanged';
      if (c.agentId !== null) throw new DomainError(ErrorCode.Conflict, `the conversation is already assigned to ${c.agentId}`);
      return { to: principal.agentId };
    });
  }

  /** A supervisor gives a conversation to an agent, from the queue or from another agent. */
  assign(principal: Principal, id: string, agentId: string): Promise<ConversationView> {
    return this.change(principal, id, (c) => (c.agentId === agentId ? 'unchanged' : { to: agentId }));
  }

  /** The conversation's agent (or a supervisor) puts it back in the queue. */
  release(principal: Principal, id: string): Promise<ConversationView> {
    const supervises = principal.roles.includes('supervisor') || principal.roles.includes('admin');
    return this.change(principal, id, (c) => {
      if (c.agentId === null) throw new DomainError(ErrorCode.Conflict, 'the conversation is not assigned to anyone');
      if (c.agentId !== principal.agentId && !supervises) {
        throw new DomainError(ErrorCode.Forbidden, "only the conversation's agent or a supervisor may release it");
      }
      return { to: null };
    });
  }

  private async change(principal: Principal, id: string, decide: Decide): Promise<ConversationView> {
    const { tenantId } = principal;
    await this.uow.run(async (w) => {
      const repo = w.conversations;
      const conversation = await repo.findById(tenantId, id);
      if (!conversation) throw DomainError.notFound('conversation');
      if (conversation.status === 'closed') throw new DomainError(ErrorCode.Conflict, 'the conversation is closed');
      const decision = decide(conversation);
      if (decision === 'unchanged') return;
      const from = conversation.agentId;
      const at = nowIso();
      if (!(await repo.changeAgent(tenantId, id, { from, to: decision.to, at }))) {
        throw new DomainError(ErrorCode.Conflict, 'the conversation was assigned meanwhile');
      }
      const by = principal.agentId;
      const events: NewEvent[] = [];
      const { timeline } = w;
      if (from !== null) {
        // Addressed to the agent who had it, so their desktop hears it; the queue hears it too (topics.ts).
        events.push({ type: 'conversation.released', conversationId: id, agentId: from, data: { agentId: from, by } });
        await timeline.append(tenantId, { conversationId: id, interactionId: null, kind: 'released', at, data: { agentId: from, by } });
      }
      // An added agent it goes to is its own agent now, no longer an added one.
      const promoted = await promoteAddedAgent(w, tenantId, id, decision.to, by, at);
      if (promoted) events.push(promoted);
      if (decision.to !== null) {
        events.push({ type: 'conversation.assigned', conversationId: id, agentId: decision.to, data: { agentId: decision.to, by, previousAgentId: from } });
        await timeline.append(tenantId, { conversationId: id, interactionId: null, kind: 'assigned', at, data: { agentId: decision.to, by } });
      }
      await w.emit(tenantId, events, at);
    });
    return this.conversations.get(principal, id);
  }
}
