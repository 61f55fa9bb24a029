import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, tenantsOf } from '../../test/support/service-doubles';
import type { CallsService } from '../calls/calls.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Interaction } from './domain/conversation';
import { ConversationsService } from './conversations.service';

/** The orchestration of conversations against an in-memory store: what is stored, what is announced, what is refused. */
describe('ConversationsService', () => {
  let uow: MemoryUnitOfWork;
  let hangups: string[];
  let hangupError: Error | undefined;
  let service: ConversationsService;
  const principal = aPrincipal();

  beforeEach(() => {
    uow = memoryUnitOfWork();
    hangups = [];
    hangupError = undefined;
    const calls = {
      command: async (_p: unknown, id: string, command: string) => {
        hangups.push(`${command} ${id}`);
        if (hangupError) throw hangupError;
        // The provider's report ends the call before the wrap-up reads it again.
        const row = uow.state.interactions.get(id)!;
        Object.assign(row, { state: 'ended', endReason: 'completed', endedAt: '2026-01-01T00:01:00.000Z' });
      },
    } as unknown as CallsService;
    service = new ConversationsService(uow, tenantsOf(aTenant()), calls);
  });

  const interaction = (conversationId: string, fields: Partial<Interaction>): Interaction => ({
    id: `I${Math.random().toString(36).slice(2)}`, conversationId, channel: 'chat', direction: 'inbound', state: 'active', provider: null,
    providerRef: null, from: null, to: null, origin: null, endReason: null, startedAt: '2026-01-01T00:00:00.000Z', endedAt: null,
    updatedAt: '2026-01-01T00:00:00.000Z', ...fields,
  });

  describe('create', () => {
    it('stores a contact and a conversation assigned to the caller and announces both in one unit', async () => {
      const result = await service.create(principal, { contact: { phone: '(415) 555-0123', name: 'Ada' } });

      expect(result.created).toBe(true);
      expect(result.conversation).toMatchObject({ status: 'active', agentId: 'alice', contact: { phone: '+14155550123', name: 'Ada' } });
      expect([...uow.state.contacts.values()]).toEqual([expect.objectContaining({ phone: '+14155550123', tenantId: 'acme' })]);
      expect(uow.state.conversations.get(result.conversation.id)).toMatchObject({ agentId: 'alice', queuedAt: null });
      expect(uow.emitted()).toEqual([expect.objectContaining({
        tenantId: 'acme', type: 'conversation.created', conversationId: result.conversation.id, agentId: 'alice',
        data: expect.objectContaining({ channel: null, assignment: { agentId: 'alice', via: 'api' }, contact: result.conversation.contact }),
      })]);
      expect(uow.commits).toBe(1);
    });

    it('joins the contact found by phone instead of creating a second one', async () => {
      const known = aContact({ phone: '+14155550123', name: 'Known' });
      uow.state.contacts.set(known.id, known);
      const result = await service.create(principal, { contact: { phone: '+14155550123' } });
      expect(uow.state.contacts.size).toBe(1);
      expect(result.conversation.contact.id).toBe(known.id);
    });

    it('links a chat session once: the same session again returns the conversation and announces nothing', async () => {
      const first = await service.create(principal, { contact: { name: 'Ada' }, chat: { sessionId: 'S1', origin: 'web' } });
      expect(uow.emitted().map((e) => e.type)).toEqual(['conversation.created', 'chat.linked']);
      expect(uow.emitted('chat.linked')[0]!.data).toEqual({ sessionId: 'S1', origin: 'web' });

      const again = await service.create(principal, { contact: { name: 'Someone else' }, chat: { sessionId: 'S1' } });
      expect(again).toEqual({ created: false, conversation: first.conversation });
      expect(uow.state.conversations.size).toBe(1);
      expect(uow.emitted()).toHaveLength(2);
    });

    it('refuses a contact with nothing to know it by, and a context over 16 KiB, before any unit runs', async () => {
      await expect(service.create(principal, { contact: {} })).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
      await expect(service.create(principal, { contact: { name: 'A' }, context: { blob: 'x'.repeat(17 * 1024) } }))
        .rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'context' })] });
      expect(uow.runs).toBe(0);
    });
  });

  describe('endChat', () => {
    it('ends the live chat, settles the conversation to wrap-up, keeps a timeline entry and announces in order', async () => {
      const contact = aContact();
      const conversation = aConversation(contact);
      uow.state.contacts.set(contact.id, contact);
      await uow.direct.conversations.insert(conversation);
      const chat = interaction(conversation.id, { providerRef: 'S1' });
      await uow.direct.conversations.insertInteraction('acme', chat);

      const view = await service.endChat(principal, conversation.id);

      expect(view.status).toBe('wrap-up');
      expect(uow.state.interactions.get(chat.id)).toMatchObject({ state: 'ended', endReason: 'completed' });
      expect(uow.state.timeline).toEqual([expect.objectContaining({ kind: 'chat_ended', interactionId: chat.id, conversationId: conversation.id })]);
      expect(uow.emitted().map((e) => [e.type, e.agentId])).toEqual([['chat.ended', 'alice'], ['conversation.updated', 'alice']]);
    });

    it('refuses a conversation without a chat (409) and leaves the store and the log as they were', async () => {
      const contact = aContact();
      const conversation = aConversation(contact);
      uow.state.contacts.set(contact.id, contact);
      await uow.direct.conversations.insert(conversation);
      const before = structuredClone(uow.state.conversations);

      const refused = await service.endChat(principal, conversation.id).catch((e: unknown) => e);

      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).status).toBe(409);
      expect(uow.state.conversations).toEqual(before);
      expect(uow.emitted()).toEqual([]);
    });

    it('answers an unknown conversation with 404', async () => {
      await expect(service.endChat(principal, 'nope')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });

  describe('wrapUp', () => {
    async function withLiveCall(): Promise<{ conversationId: string; callId: string }> {
      const contact = aContact();
      const conversation = aConversation(contact);
      uow.state.contacts.set(contact.id, contact);
      await uow.direct.conversations.insert(conversation);
      const call = interaction(conversation.id, { channel: 'voice', direction: 'outbound', state: 'answered', provider: 'simulator' });
      await uow.direct.conversations.insertInteraction('acme', call);
      return { conversationId: conversation.id, callId: call.id };
    }

    it('hangs up live calls through the calls service first, then closes with the outcome and a wrapped_up entry', async () => {
      const { conversationId, callId } = await withLiveCall();

      const view = await service.wrapUp(principal, conversationId, { disposition: 'resolved', notes: 'ok' });

      expect(hangups).toEqual([`hangup ${callId}`]);
      expect(view).toMatchObject({ status: 'closed', disposition: 'resolved', notes: 'ok' });
      expect(uow.state.timeline.map((e) => [e.kind, e.data])).toEqual([['wrapped_up', { disposition: 'resolved', notes: 'ok', agentId: 'alice' }]]);
      // The call had ended already: only the conversation's closing is announced.
      expect(uow.emitted().map((e) => e.type)).toEqual(['conversation.closed']);
    });

    it('goes on when the call ended meanwhile (409 from the hangup), and ends it with the wrap-up', async () => {
      const { conversationId, callId } = await withLiveCall();
      hangupError = new DomainError(ErrorCode.Conflict, 'the call has ended');

      await service.wrapUp(principal, conversationId, { disposition: 'resolved' });

      expect(uow.emitted().map((e) => [e.type, e.interactionId ?? null])).toEqual([['call.ended', callId], ['conversation.closed', null]]);
      expect(uow.state.interactions.get(callId)).toMatchObject({ state: 'ended', endReason: 'wrap-up' });
    });

    it('stops on any other hangup failure: nothing is closed', async () => {
      const { conversationId } = await withLiveCall();
      hangupError = new DomainError(ErrorCode.BadGateway, 'the provider did not answer');

      await expect(service.wrapUp(principal, conversationId, { disposition: 'resolved' })).rejects.toMatchObject({ code: ErrorCode.BadGateway });
      expect(uow.state.conversations.get(conversationId)!.status).toBe('active');
      expect(uow.runs).toBe(0);
    });

    it('refuses a closed conversation (409) without a second closing event', async () => {
      const { conversationId } = await withLiveCall();
      await service.wrapUp(principal, conversationId, { disposition: 'resolved' });
      await expect(service.wrapUp(principal, conversationId, { disposition: 'again' })).rejects.toMatchObject({ code: ErrorCode.Conflict });
      expect(uow.emitted('conversation.closed')).toHaveLength(1);
    });
  });

  describe('list', () => {
    it("pages the caller's conversations newest activity first, with each contact", async () => {
      const contact = aContact();
      uow.state.contacts.set(contact.id, contact);
      const times = ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:02.000Z'];
      for (const at of times) await uow.direct.conversations.insert(aConversation(contact, { lastActivityAt: at }));
      await uow.direct.conversations.insert(aConversation(contact, { agentId: 'bob' }));

      const page = await service.list(principal, { assigned: 'me', limit: 2 });

      expect(page.items.map((c) => c.lastActivityAt)).toEqual([times[1], times[2]]);
      expect(page.items.every((c) => c.contact.id === contact.id && c.agentId === 'alice')).toBe(true);
      expect(page.nextCursor).not.toBeNull();
    });

    it('refuses assigned together with agentId', async () => {
      await expect(service.list(principal, { assigned: 'me', agentId: 'bob' })).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    });
  });
});
