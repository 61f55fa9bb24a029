import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, tenantsOf } from '../../test/support/service-doubles';
import type { CallsService } from '../calls/calls.service';
import { ErrorCode } from '../common/errors/domain-error';
import { ConversationsService } from '../conversations/conversations.service';
import type { Conversation } from '../conversations/domain/conversation';
import { AssignmentService } from './assignment.service';

describe('AssignmentService', () => {
  let uow: MemoryUnitOfWork;
  let service: AssignmentService;
  const alice = aPrincipal({ agentId: 'alice' });
  const bob = aPrincipal({ agentId: 'bob' });
  const supervisor = aPrincipal({ agentId: 'sue', roles: ['supervisor'] });

  beforeEach(() => {
    uow = memoryUnitOfWork();
    const conversations = new ConversationsService(uow, tenantsOf(aTenant()), {} as CallsService);
    service = new AssignmentService(uow, conversations);
  });

  async function stored(fields: Partial<Conversation>): Promise<string> {
    const contact = aContact();
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, fields);
    await uow.direct.conversations.insert(conversation);
    return conversation.id;
  }

  const timeline = () => uow.state.timeline.map((e) => [e.kind, e.data]);

  it('claim: an agent takes a queued conversation; assigned is announced to them and kept on the timeline', async () => {
    const id = await stored({ agentId: null });

    const view = await service.claim(alice, id);

    expect(view.agentId).toBe('alice');
    expect(uow.state.conversations.get(id)).toMatchObject({ agentId: 'alice', queuedAt: null });
    expect(uow.emitted()).toEqual([expect.objectContaining({
      type: 'conversation.assigned', conversationId: id, agentId: 'alice', data: { agentId: 'alice', by: 'alice', previousAgentId: null },
    })]);
    expect(timeline()).toEqual([['assigned', { agentId: 'alice', by: 'alice' }]]);
  });

  it("claim: the agent's own conversation changes nothing and announces nothing", async () => {
    const id = await stored({ agentId: 'alice' });
    await service.claim(alice, id);
    expect(uow.emitted()).toEqual([]);
    expect(uow.state.timeline).toEqual([]);
  });

  it("claim: another agent's conversation is a 409", async () => {
    const id = await stored({ agentId: 'bob' });
    await expect(service.claim(alice, id)).rejects.toMatchObject({ code: ErrorCode.Conflict, detail: 'the conversation is already assigned to bob' });
    expect(uow.state.conversations.get(id)!.agentId).toBe('bob');
  });

  it('assign: moving from one agent to another announces released (to the former) then assigned (to the new one)', async () => {
    const id = await stored({ agentId: 'bob' });

    await service.assign(supervisor, id, 'alice');

    expect(uow.emitted().map((e) => [e.type, e.agentId, e.data])).toEqual([
      ['conversation.released', 'bob', { agentId: 'bob', by: 'sue' }],
      ['conversation.assigned', 'alice', { agentId: 'alice', by: 'sue', previousAgentId: 'bob' }],
    ]);
    expect(timeline()).toEqual([['released', { agentId: 'bob', by: 'sue' }], ['assigned', { agentId: 'alice', by: 'sue' }]]);
  });

  it('release: back to the queue, by its agent or a supervisor, never by another agent (403)', async () => {
    const id = await stored({ agentId: 'alice' });
    await expect(service.release(bob, id)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(uow.emitted()).toEqual([]);

    await service.release(supervisor, id);
    expect(uow.state.conversations.get(id)).toMatchObject({ agentId: null, queuedAt: expect.any(String) });
    expect(uow.emitted().map((e) => e.type)).toEqual(['conversation.released']);
    await expect(service.release(alice, id)).rejects.toMatchObject({ code: ErrorCode.Conflict, detail: 'the conversation is not assigned to anyone' });
  });

  it('refuses a closed conversation (409) and an unknown one (404)', async () => {
    const id = await stored({ agentId: null, status: 'closed' });
    await expect(service.claim(alice, id)).rejects.toMatchObject({ code: ErrorCode.Conflict, detail: 'the conversation is closed' });
    await expect(service.claim(alice, 'nope')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('loses a race: when the agent changed after the read, 409 and nothing is announced or kept', async () => {
    const id = await stored({ agentId: null });
    // Another instance claims the conversation between this unit's read and its conditional update.
    const conversations = uow.direct.conversations;
    const findById = conversations.findById.bind(conversations);
    const run = uow.run.bind(uow);
    uow.run = (work) => run((w) => work({
      ...w,
      conversations: {
        ...w.conversations,
        findById: async (tenantId: string, cid: string) => {
          const read = await findById(tenantId, cid);
          uow.state.conversations.get(id)!.agentId = 'bob';
          return read;
        },
      },
    }));

    await expect(service.claim(alice, id)).rejects.toMatchObject({ code: ErrorCode.Conflict, detail: 'the conversation was assigned meanwhile' });
    expect(uow.emitted()).toEqual([]);
    expect(uow.state.timeline).toEqual([]);
  });
});
