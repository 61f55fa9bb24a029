import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aTenant, quietLogger, tenantsOf } from '../../test/support/service-doubles';
import { ErrorCode } from '../common/errors/domain-error';
import type { Contact } from '../contacts/domain/contact';
import type { Conversation } from '../conversations/domain/conversation';
import type { ProviderRegistry } from '../providers/provider.registry';
import type { InboundMessage } from '../providers/sms-provider.port';
import { InboundRouter } from '../routing/inbound-router.service';
import type { PresenceService } from '../routing/presence.service';
import type { TenantSettings } from '../tenants/tenant';
import { InboundMessagingService } from './inbound-messaging.service';

describe('InboundMessagingService', () => {
  let uow: MemoryUnitOfWork;
  let online: Set<string>;
  let headRequests: string[];
  let service: InboundMessagingService;

  function build(tenant: TenantSettings = aTenant()): void {
    const presence = { isOnline: async (_stores: unknown, key: { agentId: string }) => online.has(key.agentId) } as unknown as PresenceService;
    const providers = {
      smsByName: () => ({
        fetchMedia: async (url: string) => { headRequests.push(url); return new Response(null, { headers: { 'content-length': '2048' } }); },
      }),
    } as unknown as ProviderRegistry;
    service = new InboundMessagingService(uow, tenantsOf(tenant), providers, new InboundRouter(presence), quietLogger());
  }

  beforeEach(() => {
    uow = memoryUnitOfWork();
    online = new Set();
    headRequests = [];
    build();
  });

  const message = (fields: Partial<InboundMessage> = {}): InboundMessage => ({
    provider: 'twilio', providerRef: `SM${Math.random().toString(36).slice(2)}`, from: '(415) 555-0123', to: '+14155550000', body: 'Hi', media: [], ...fields,
  });

  async function known(conversation: Partial<Conversation>): Promise<{ contact: Contact; conversation: Conversation }> {
    const contact = aContact({ phone: '+14155550123' });
    uow.state.contacts.set(contact.id, contact);
    const stored = aConversation(contact, conversation);
    await uow.direct.conversations.insert(stored);
    return { contact, conversation: stored };
  }

  it('from a stranger: creates the contact and a queued conversation, stores the message and announces created then received', async () => {
    const result = await service.receive(message({ providerRef: 'SM1', body: 'Hello there' }));

    expect(result.duplicate).toBe(false);
    const contact = [...uow.state.contacts.values()][0]!;
    expect(contact).toMatchObject({ phone: '+14155550123', tenantId: 'acme' });
    expect(uow.state.conversations.get(result.conversationId)).toMatchObject({ agentId: null, contactId: contact.id, status: 'active' });
    expect(uow.state.interactions.get(result.interactionId)).toMatchObject({ direction: 'inbound', state: 'received', providerRef: 'SM1', from: '+14155550123' });
    expect(uow.state.messages.get(result.interactionId)).toMatchObject({ body: 'Hello there', segments: 1 });
    expect(uow.emitted().map((e) => [e.type, e.agentId])).toEqual([['conversation.created', null], ['sms.received', null]]);
    expect(uow.emitted('conversation.created')[0]!.data).toMatchObject({ channel: 'sms', assignment: { agentId: null, via: 'queue' }, contact: { id: contact.id } });
  });

  it('a provider retry of the same message id changes nothing and announces nothing', async () => {
    const first = await service.receive(message({ providerRef: 'SM1' }));
    const events = uow.emitted().length;

    const again = await service.receive(message({ providerRef: 'SM1' }));

    expect(again).toEqual({ duplicate: true, interactionId: first.interactionId, conversationId: first.conversationId });
    expect(uow.state.interactions.size).toBe(1);
    expect(uow.emitted()).toHaveLength(events);
  });

  it("joins the contact's open conversation, addressed to its agent, without a second conversation", async () => {
    const { conversation } = await known({ agentId: 'bob' });

    const result = await service.receive(message());

    expect(result.conversationId).toBe(conversation.id);
    expect(uow.state.conversations.size).toBe(1);
    expect(uow.emitted().map((e) => [e.type, e.agentId])).toEqual([['sms.received', 'bob']]);
    expect(uow.state.conversations.get(conversation.id)!.lastActivityAt).not.toBe(conversation.lastActivityAt);
  });

  it('reopens a conversation in wrap-up', async () => {
    const { conversation } = await known({ agentId: 'bob', status: 'wrap-up' });
    await service.receive(message());
    expect(uow.state.conversations.get(conversation.id)!.status).toBe('active');
    expect(uow.emitted().map((e) => e.type)).toEqual(['conversation.updated', 'sms.received']);
  });

  it("opens a returning customer's new conversation with their last agent when that agent is online, else queues it", async () => {
    const recently = new Date(Date.now() - 3600_000).toISOString();
    await known({ agentId: 'bob', status: 'closed', lastActivityAt: recently });

    online.add('bob');
    const sticky = await service.receive(message());
    expect(uow.state.conversations.get(sticky.conversationId)!.agentId).toBe('bob');
    expect(uow.emitted('conversation.created')[0]!.data).toMatchObject({ assignment: { agentId: 'bob', via: 'sticky' } });

    uow.state.conversations.get(sticky.conversationId)!.status = 'closed';
    online.delete('bob');
    const queued = await service.receive(message());
    expect(uow.state.conversations.get(queued.conversationId)!.agentId).toBeNull();
  });

  it('STOP opts the contact out once; START opts them back in', async () => {
    const { contact, conversation } = await known({});

    await service.receive(message({ body: ' STOP ' }));
    await service.receive(message({ body: 'stop' }));
    expect(uow.state.contacts.get(contact.id)!.optedOutAt).not.toBeNull();
    expect(uow.emitted('contact.opted_out')).toEqual([expect.objectContaining({ conversationId: conversation.id, data: { contactId: contact.id, keyword: 'STOP' } })]);

    await service.receive(message({ body: 'START' }));
    expect(uow.state.contacts.get(contact.id)!.optedOutAt).toBeNull();
    expect(uow.emitted('contact.opted_in')).toHaveLength(1);
  });

  it('keeps attachments; one of unknown size is measured after the unit committed', async () => {
    const result = await service.receive(message({
      media: [{ url: 'https://media.example/1', contentType: 'image/png' }, { url: 'https://media.example/2', contentType: 'image/jpeg', size: 10 }],
    }));
    await new Promise((resolve) => setImmediate(resolve));

    expect(headRequests).toEqual(['https://media.example/1']);
    const attachments = [...uow.state.attachments.values()].filter((a) => a.interactionId === result.interactionId);
    expect(attachments.map((a) => [a.url, a.size])).toEqual([['https://media.example/1', 2048], ['https://media.example/2', 10]]);
    expect(uow.emitted('sms.received')[0]!.data).toMatchObject({ mediaCount: 2 });
  });

  it('refuses a number no tenant owns (404) before any unit runs', async () => {
    await expect(service.receive(message({ to: '+14155559999' }))).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(uow.runs).toBe(0);
  });

  it('keeps a sender that is no phone number as an external id', async () => {
    await service.receive(message({ from: 'ACME-ALERTS' }));
    expect([...uow.state.contacts.values()]).toEqual([expect.objectContaining({ phone: null, externalId: 'sms:ACME-ALERTS' })]);
  });
});
