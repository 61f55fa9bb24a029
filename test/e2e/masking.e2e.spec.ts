import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

/** The same conversation as an agent sees it (masked) and as a supervisor with `pii` (clear). */
describe('sensitive data masking for agents', () => {
  let gw: TestGateway;
  let agent: string;
  let clearSupervisor: string;
  let plainSupervisor: string;
  let conversationId: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [{ id: 'acme', numbers: ['+14155550100'], maskSensitiveData: true }] });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    clearSupervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'], pii: true });
    plainSupervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    const conv = await gw.request('POST', '/v1/conversations', {
      token: clearSupervisor,
      body: { contact: { phone: '+447966197542', email: 'melissa@gmail.com', name: '+44 7966 197542' }, chat: { sessionId: 'mask-1' } },
    });
    conversationId = conv.body.id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const watch = async (token: string) => {
    const client = await EventClient.connect(gw.url, token);
    clients.push(client);
    client.send({ op: 'subscribe', topics: [`conversation:${conversationId}`], since: '0' });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };

  it('masks phone numbers, e-mails and a phone-number name over REST for an agent, not for a pii supervisor', async () => {
    const masked = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: agent })).body;
    expect(masked.contact).toMatchObject({ phone: '*********7542', email: 'm******@gmail.com', name: '*********7542' });
    const clear = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: clearSupervisor })).body;
    expect(clear.contact).toMatchObject({ phone: '+447966197542', email: 'melissa@gmail.com', name: '+44 7966 197542' });
    const plain = (await gw.request('GET', `/v1/contacts/${clear.contact.id}`, { token: plainSupervisor })).body;
    expect(plain.phone).toBe('*********7542');
    // Lookups still work with the clear number; what comes back is masked.
    const found = await gw.request('GET', '/v1/contacts?phone=%2B447966197542', { token: agent });
    expect(found.body.items[0].phone).toBe('*********7542');
  });

  it('masks card numbers inside message bodies, over REST and over the socket, while the store keeps them', async () => {
    const agentFeed = await watch(agent);
    const clearFeed = await watch(clearSupervisor);
    const sent = await gw.request('POST', '/v1/conversations/' + conversationId + '/messages', {
      token: agent, body: { body: 'Card on file 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32' },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ body: 'Card on file **** **** **** 1111, IBAN GB82 **** **** **** **54 32', to: '*********7542' });
    const stored = await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: clearSupervisor });
    expect(stored.body.body).toBe('Card on file 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32');

    const created = await agentFeed.next((f) => f.event?.type === 'conversation.created');
    expect(created.event.data.conversation.contact).toMatchObject({ phone: '*********7542', email: 'm******@gmail.com' });
    const queued = await agentFeed.next((f) => f.event?.type === 'sms.queued');
    expect(queued.event.data.to).toBe('*********7542');
    const clearCreated = await clearFeed.next((f) => f.event?.type === 'conversation.created');
    expect(clearCreated.event.data.conversation.contact.phone).toBe('+447966197542');
    expect((await clearFeed.next((f) => f.event?.type === 'sms.queued')).event.data.to).toBe('+447966197542');
  });
});
