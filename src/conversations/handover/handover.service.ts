import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { nowIso } from '../../common/ids';
import { isLiveCall, type CallState } from '../../calls/domain/call-state';
import { ParticipantsService } from '../../calls/participants/participants.service';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import type { ConversationView } from '../conversation.view';
import { ConversationsService } from '../conversations.service';
import type { NewEvent } from '../domain/conversation';
import { promoteAddedAgent } from '../agents/conversation-agents.service';
import { handoverRefusal, handoverTo, type HandoverTarget } from './domain/handover';
import type { HandoverDto } from './dto/handover.dto';

/**
 * Hands a conversation to another agent or back to the queue (README "Handing a conversation
 * over"). Its chat and SMS thread follow its agent by themselves (events go to the agent the
 * conversation has); a live call gets the new agent's device dialled in first, so a refusal of the
 * provider (422, 409, 502) leaves the conversation where it was.
 */
@Injectable()
export class HandoverService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly conversations: ConversationsService,
    private readonly participants: ParticipantsService,
  ) {}

  async transfer(principal: Principal, id: string, input: HandoverDto): Promise<ConversationView> {
    const { tenantId } = principal;
    if ((input.agentId === undefined) === (input.queue === undefined)) {
      throw DomainError.invalidField(input.agentId === undefined ? 'agentId' : 'queue', 'give exactly one of agentId or queue: true');
    }
    const target: HandoverTarget = input.agentId !== undefined ? { agentId: input.agentId } : { queue: true };
    const conversation = await this.uow.direct.conversations.findById(tenantId, id);
    if (!conversation) throw DomainError.notFound('conversation');
    const liveCall = (await this.uow.direct.conversations.interactionsOf(tenantId, [id]))
      .find((i) => i.channel === 'voice' && isLiveCall(i.state as CallState));
    const supervises = principal.roles.includes('supervisor') || principal.roles.includes('admin');
    const refusal = handoverRefusal({
      by: { agentId: principal.agentId, supervises }, conversation, target, liveCallId: liveCall?.id ?? null, endpoint: input.endpoint,
    });
    if (refusal) throw refusal.field ? DomainError.invalidField(refusal.field, refusal.message, refusal.code) : new DomainError(refusal.code, refusal.message);
    const to = handoverTo(target);
    if (liveCall && input.endpoint) {
      await this.participants.command(principal, liveCall.id, { kind: 'add', to: input.endpoint, role: 'agent' });
    }
    await this.uow.run(async (w) => {
      const from = conversation.agentId;
      const at = nowIso();
      if (!(await w.conversations.changeAgent(tenantId, id, { from, to, at }))) {
        throw new DomainError(ErrorCode.Conflict, 'the conversation was assigned meanwhile');
      }
      const by = principal.agentId;
      // Told as the change of hands it is: the agent who had it and the queue hear `released`, the new agent `assigned`.
      const events: NewEvent[] = [];
      if (from !== null) events.push({ type: 'conversation.released', conversationId: id, agentId: from, data: { agentId: from, by } });
      if (to !== null) events.push({ type: 'conversation.assigned', conversationId: id, agentId: to, data: { agentId: to, by, previousAgentId: from } });
      // An added agent it goes to is its own agent now, no longer an added one.
      const promoted = await promoteAddedAgent(w, tenantId, id, to, by, at);
      if (promoted) events.push(promoted);
      const data = { fromAgentId: from, toAgentId: to, by, callId: liveCall?.id ?? null };
      events.push({ type: 'conversation.transferred', conversationId: id, agentId: to, data });
      await w.timeline.append(tenantId, { conversationId: id, interactionId: null, kind: 'conversation_transferred', at, data });
      await w.conversations.touch(tenantId, id, at);
      await w.emit(tenantId, events, at);
    });
    return this.conversations.get(principal, id);
  }
}
