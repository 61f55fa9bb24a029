import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal';
import { CallsService } from '../calls/calls.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { decodeActivityCursor, DEFAULT_PAGE_SIZE, encodeActivityCursor, toPage, type Page } from '../common/http/paging';
import { newId, nowIso } from '../common/ids';
import { findOrCreateContact } from '../contacts/contact-resolver';
import { requirePhone } from '../contacts/phone-input';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork, type Repositories } from '../unit-of-work/unit-of-work';
import { conversationView, type ConversationView } from './conversation.view';
import { isLive, type Conversation, type Interaction } from './domain/conversation';
import { endChat, openConversation, wrapUp, type Transition } from './domain/conversation-state';
import type { CreateConversationDto, ListConversationsQuery, WrapUpDto } from './dto/conversation.dto';
import { entriesOf } from './domain/timeline';
import { dispositionProblem } from './domain/disposition';
import { interactionExtras, loadInteractionDetails } from './timeline/interaction-details';

export const MAX_CONTEXT_BYTES = 16 * 1024;

export interface CreateResult {
  created: boolean;
  conversation: ConversationView;
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly calls: CallsService,
  ) {}

  /** Creates a conversation, or returns the one already linked to the same chat session. */
  async create(principal: Principal, input: CreateConversationDto): Promise<CreateResult> {
    const tenant = this.tenants.get(principal.tenantId);
    const { contact: c } = input;
    if (!c.phone && !c.email && !c.externalId && !c.name) {
      throw DomainError.invalidField('contact', 'needs at least one of phone, email, name or externalId');
    }
    const phone = c.phone === undefined ? undefined : requirePhone('contact.phone', c.phone, tenant.defaultRegion);
    const email = c.email?.toLowerCase();
    if (input.context && Buffer.byteLength(JSON.stringify(input.context)) > MAX_CONTEXT_BYTES) {
      throw DomainError.invalidField('context', `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`);
    }
    return this.uow.run(async (w) => {
      const { conversations } = w;
      if (input.chat) {
        const linked = await conversations.findByInteractionRef(tenant.id, 'chat', input.chat.sessionId);
        if (linked) return { created: false, conversation: await this.view(w, linked) };
      }
      const at = nowIso();
      const contact = await findOrCreateContact(w.contacts, tenant.id, { ...c, phone, email }, at);
      const { conversation, event: created } = openConversation({
        id: newId(), tenantId: tenant.id, contactId: contact.id,
        agentId: input.agentId ?? principal.agentId, context: input.context ?? null,
      }, at, { channel: input.chat ? 'chat' : null, via: 'api' });
      await conversations.insert(conversation);
      const interactions: Interaction[] = [];
      if (input.chat) {
        const chat: Interaction = {
          id: newId(), conversationId: conversation.id, channel: 'chat', direction: 'inbound', state: 'active',
          provider: null, providerRef: input.chat.sessionId, from: null, to: null, origin: input.chat.origin ?? null,
          endReason: null, startedAt: at, endedAt: null, updatedAt: at,
        };
        await conversations.insertInteraction(tenant.id, chat);
        interactions.push(chat);
      }
      const view = conversationView(conversation, contact, interactions);
      await w.emit(tenant.id, [
        { ...created, data: { ...created.data, contact: view.contact, conversation: view } },
        ...interactions.map((i) => ({
          type: 'chat.linked' as const, conversationId: conversation.id, interactionId: i.id, agentId: conversation.agentId,
          data: { sessionId: i.providerRef!, origin: i.origin }, // a chat's providerRef is its sessionId
        })),
      ], at);
      return { created: true, conversation: view };
    });
  }

  async get(principal: Principal, id: string): Promise<ConversationView> {
    const conversation = await this.uow.direct.conversations.findById(principal.tenantId, id);
    if (!conversation) throw DomainError.notFound('conversation');
    return this.view(this.uow.direct, conversation);
  }

  /** Most recently active first; `assigned` is `me`, `none` (the queue) or an agent's id. */
  async list(principal: Principal, query: ListConversationsQuery): Promise<Page<ConversationView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeActivityCursor(query.cursor);
    const { assigned, cursor: _cursor, ...filter } = query;
    if (assigned !== undefined && filter.agentId !== undefined) throw DomainError.invalidField('assigned', 'cannot be combined with agentId');
    const agentId = assigned === undefined ? filter.agentId : assigned === 'me' ? principal.agentId : assigned === 'none' ? null : assigned;
    const rows = await this.uow.direct.conversations.list(principal.tenantId, { ...filter, agentId, after, limit: limit + 1 });
    return this.pageOf(principal.tenantId, rows, limit);
  }

  /** A page of conversations with their contacts and interactions, from `limit + 1` rows. */
  private async pageOf(tenantId: string, rows: Conversation[], limit: number): Promise<Page<ConversationView>> {
    const stores = this.uow.direct;
    const shown = rows.slice(0, limit);
    const interactions = await stores.conversations.interactionsOf(tenantId, shown.map((c) => c.id));
    const contacts = await stores.contacts.findByIds(tenantId, [...new Set(shown.map((c) => c.contactId))]);
    const byId = new Map(contacts.map((c) => [c.id, c]));
    const extras = interactionExtras(await loadInteractionDetails(stores, tenantId, interactions, nowIso()));
    const added = addedAgents(await stores.conversationAgents.of(tenantId, shown.map((c) => c.id)));
    return toPage(rows, limit, (c) => conversationView(c, byId.get(c.contactId)!, interactions, extras, added), encodeActivityCursor);
  }

  endChat(principal: Principal, id: string): Promise<ConversationView> {
    return this.apply(principal, id, (conversation, interactions, at) => endChat(conversation, interactions, at));
  }

  /** Live calls are hung up through their provider first; then the conversation closes. */
  async wrapUp(principal: Principal, id: string, input: WrapUpDto): Promise<ConversationView> {
    const refused = dispositionProblem(input.disposition, this.tenants.get(principal.tenantId).dispositions);
    if (refused) throw DomainError.invalidField('disposition', refused, ErrorCode.Unprocessable);
    const interactions = await this.uow.direct.conversations.interactionsOf(principal.tenantId, [id]);
    for (const call of interactions.filter((i) => i.channel === 'voice' && isLive(i))) {
      await this.calls.command(principal, call.id, 'hangup').catch((error: unknown) => {
        // Ended meanwhile by the customer or the provider: nothing left to hang up.
        if (!(error instanceof DomainError && error.code === ErrorCode.Conflict)) throw error;
      });
    }
    const outcome = { disposition: input.disposition, notes: input.notes ?? null };
    return this.apply(principal, id, (conversation, current, at) => wrapUp(conversation, current, outcome, at));
  }

  /** Loads a conversation, runs a pure transition and stores its result and events in one transaction. */
  private apply(
    principal: Principal,
    id: string,
    transition: (c: Conversation, i: Interaction[], at: string) => Transition,
  ): Promise<ConversationView> {
    return this.uow.run(async (w) => {
      const repo = w.conversations;
      const conversation = await repo.findById(principal.tenantId, id);
      if (!conversation) throw DomainError.notFound('conversation');
      const interactions = await repo.interactionsOf(principal.tenantId, [id]);
      const at = nowIso();
      const result = transition(conversation, interactions, at);
      if (!result.changed) return this.view(w, conversation);
      await repo.update(result.conversation);
      for (const interaction of result.interactions) await repo.updateInteraction(principal.tenantId, interaction);
      for (const entry of entriesOf(conversation, result, principal.agentId)) {
        await w.timeline.append(principal.tenantId, { ...entry, conversationId: id, at });
      }
      const agentId = result.conversation.agentId;
      await w.emit(principal.tenantId, result.events.map((e) => ({ agentId, ...e })), at);
      return this.view(w, result.conversation);
    });
  }

  private async view(stores: Repositories, conversation: Conversation): Promise<ConversationView> {
    const contact = await stores.contacts.findById(conversation.tenantId, conversation.contactId);
    const interactions = await stores.conversations.interactionsOf(conversation.tenantId, [conversation.id]);
    const extras = interactionExtras(await loadInteractionDetails(stores, conversation.tenantId, interactions, nowIso()));
    const added = addedAgents(await stores.conversationAgents.of(conversation.tenantId, [conversation.id]));
    return conversationView(conversation, contact!, interactions, extras, added);
  }
}

/** The added agents of each conversation, in the order they were added. */
function addedAgents(rows: ReadonlyArray<{ conversationId: string; agentId: string }>): Map<string, string[]> {
  const byConversation = new Map<string, string[]>();
  for (const row of rows) byConversation.set(row.conversationId, [...(byConversation.get(row.conversationId) ?? []), row.agentId]);
  return byConversation;
}
