import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, tenantsOf } from '../../../test/support/service-doubles';
import type { CallsService } from '../../calls/calls.service';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { ConversationsService } from '../conversations.service';
import { ConversationAgentsService } from './conversation-agents.service';

/** Adding and removing agents against an in-memory store: what is stored, announced and refused, and to whom. */
describe('ConversationAgentsService', () => {
  let uow: MemoryUnitOfWork;
  let service: ConversationAgentsService;
  let conversations: ConversationsService;
  let id: string;
  const alice = aPrincipal();
  const sue = aPrincipal({ agentId: 'sue', roles: ['supervisor'] });

  beforeEach(async () => {
    uow = memoryUnitOfWork();
    conversations = new ConversationsService(uow, tenantsOf(aTenant()), {} as CallsService);
    service = new ConversationAgentsService(uow, conversations);
    const contact = aContact();
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: 'alice' });
    await uow.direct.conversations.insert(conversation);
    id = conversation.id;
  });

  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: DomainError) => [e.code, e.detail]);

  it('adds an agent: the view lists them, the event goes to the conversation’s agent and names the added one, the timeline keeps it', async () => {
    const view = await service.add(alice, id, 'bob');
    expect([view.agentId, view.agents]).toEqual(['alice', ['alice', 'bob']]);
    expect(uow.emitted('conversation.agent.added').map((e) => [e.agentId, e.conversationId, e.data])).toEqual([['alice', id, { agentId: 'bob', by: 'alice' }]]);
    expect(uow.state.timeline.map((e) => [e.kind, e.data])).toEqual([['agent_added', { agentId: 'bob', by: 'alice' }]]);
    expect(await service.conversationsOf('acme', 'bob')).toEqual([id]);
    // The inbox of the added agent holds it; another agent's does not.
    const inbox = async (agentId: string) => (await conversations.list(aPrincipal({ agentId }), { assigned: 'me' })).items.map((c) => c.id);
    expect([await inbox('bob'), await inbox('carl'), await inbox('alice')]).toEqual([[id], [], [id]]);
  });

  it('removes an added agent, announced with the reason; the conversation’s own agent stays', async () => {
    await service.add(alice, id, 'bob');
    const view = await service.remove(aPrincipal({ agentId: 'bob' }), id, 'bob');
    expect(view.agents).toEqual(['alice']);
    expect(uow.emitted('conversation.agent.removed').map((e) => e.data)).toEqual([{ agentId: 'bob', by: 'bob', reason: 'removed' }]);
    expect(await service.conversationsOf('acme', 'bob')).toEqual([]);
  });

  it('refuses with the domain’s codes, storing and announcing nothing', async () => {
    await service.add(alice, id, 'bob');
    const before = uow.emitted().length;
    expect(await refusal(service.add(alice, id, 'bob'))).toEqual([ErrorCode.Conflict, 'bob is already an agent of the conversation']);
    expect(await refusal(service.add(aPrincipal({ agentId: 'carl' }), id, 'dan'))).toEqual([ErrorCode.Forbidden, expect.any(String)]);
    expect((await refusal(service.remove(sue, id, 'alice')))?.[0]).toBe(ErrorCode.Conflict);
    expect((await refusal(service.remove(sue, id, 'dan')))?.[0]).toBe(ErrorCode.NotFound);
    expect((await refusal(service.add(aPrincipal({ tenantId: 'globex' }), id, 'dan')))?.[0]).toBe(ErrorCode.NotFound);
    expect(uow.emitted().length).toBe(before);
    expect(uow.state.conversationAgents.map((r) => r.agentId)).toEqual(['bob']);
  });
});
