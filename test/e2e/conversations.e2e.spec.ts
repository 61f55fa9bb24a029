import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

const TENANTS = [
  { id: 'acme', name: 'ACME Insurance', defaultRegion: 'GB' },
  { id: 'globex', name: 'Globex', defaultRegion: 'US' },
];

/** The conversation API over real HTTP, against the store `databaseUrl` names. */
function conversationSuite(databaseUrl: () => Promise<{ url?: string; drop?: () => Promise<void> }>): void {
  let gw: TestGateway;
  let acme: string;
  let globex: string;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await databaseUrl();
    drop = db.drop;
    gw = await startTestGateway({ tenants: TENANTS, ...(db.url ? { database: { url: db.url } } : {}) });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    globex = await gw.token({ tenantId: 'globex', agentId: 'bob' });
  });
  afterAll(async () => {
    await gw.close();
    await drop?.();
  });

  const create = (body: unknown, token = acme, headers: Record<string, string> = {}) =>
    gw.request('POST', '/v1/conversations', { body, token, headers });
  const events = async (tenantId: string) =>
    new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter(tenantId, 0, 10_000);

  it('creates a conversation with its contact and chat, and linking the same session again returns it', async () => {
    const body = {
      contact: { phone: '07966 197542', name: 'Melissa', email: 'Melissa@Example.com' },
      chat: { sessionId: 'chat-001', origin: 'mobile' },
      context: { gps: { lat: 51.5072, lon: -0.1276 }, reason: 'accident' },
    };
    const first = await create(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'active',
      agentId: 'alice',
      context: body.context,
      contact: { phone: '+447966197542', name: 'Melissa', email: 'melissa@example.com' },
      interactions: [{ channel: 'chat', direction: 'inbound', state: 'active', providerRef: 'chat-001', origin: 'mobile' }],
    });
    expect(first.body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const again = await create({ contact: { phone: '+447966197542' }, chat: { sessionId: 'chat-001' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.interactions).toHaveLength(1);

    const log = (await events('acme')).filter((e) => e.conversationId === first.body.id);
    expect(log.map((e) => e.type)).toEqual(['conversation.created', 'chat.linked']);
    expect(log[1]!.seq).toBe(log[0]!.seq + 1);
  });

  it('links one conversation when the same chat session is posted concurrently', async () => {
    const body = { contact: { phone: '+447911100123' }, chat: { sessionId: 'chat-race' } };
    const results = await Promise.all(Array.from({ length: 8 }, () => create(body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('reuses the contact found by phone for a new conversation', async () => {
    const a = await create({ contact: { phone: '+447911100200', name: 'Ann' }, chat: { sessionId: 'reuse-1' } });
    const b = await create({ contact: { phone: '07911 100200' }, chat: { sessionId: 'reuse-2' } });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.contact.id).toBe(a.body.contact.id);
  });

  it("answers 404 for another tenant's conversation and contact, exactly as for a missing one", async () => {
    const own = await create({ contact: { phone: '+447911100300' }, chat: { sessionId: 'tenant-1' } });
    const id = own.body.id as string;
    const contactId = own.body.contact.id as string;
    for (const [method, path, body] of [
      ['GET', `/v1/conversations/${id}`],
      ['POST', `/v1/conversations/${id}/chat/end`],
      ['POST', `/v1/conversations/${id}/wrap-up`, { disposition: 'x' }],
      ['GET', `/v1/contacts/${contactId}`],
      ['PATCH', `/v1/contacts/${contactId}`, { name: 'Mallory' }],
      ['GET', `/v1/contacts/${contactId}/activities`],
    ] as const) {
      const foreign = await gw.request(method, path, { token: globex, body });
      const missing = await gw.request(method, path.replace(/[0-9A-Z]{26}/, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), { token: globex, body });
      expect([method, path, foreign.status]).toEqual([method, path, 404]);
      expect(foreign.body.detail).toBe(missing.body.detail);
    }
    expect((await gw.request('GET', '/v1/conversations?limit=100', { token: globex })).body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    const lookup = await gw.request('GET', '/v1/contacts?phone=%2B447911100300', { token: globex });
    expect([lookup.status, lookup.body]).toEqual([200, { items: [] }]);
    const ownLookup = await gw.request('GET', '/v1/contacts?phone=%2B447911100300', { token: acme });
    expect(ownLookup.body.items.map((c: { id: string }) => c.id)).toEqual([contactId]);
    // The other tenant's same session id is a separate conversation.
    const theirs = await create({ contact: { phone: '+14155550100' }, chat: { sessionId: 'tenant-1' } }, globex);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(id);
    expect((await gw.request('PATCH', `/v1/contacts/${contactId}`, { token: acme, body: {} })).body.name).toBeNull();
  });

  it.each([
    [{ contact: { phone: '12345' } }, 'contact.phone'],
    [{ contact: { phone: 7966197542 } }, 'contact.phone'],
    [{ contact: { email: 'not-an-email' } }, 'contact.email'],
    [{ contact: {} }, 'contact'],
    [{}, 'contact'],
    [{ contact: { name: 'A' }, chat: { sessionId: '' } }, 'chat.sessionId'],
    [{ contact: { name: 'A' }, chat: { sessionId: 's', origin: 'fax' } }, 'chat.origin'],
    [{ contact: { name: 'A' }, context: 'gps' }, 'context'],
    [{ contact: { name: 'A' }, context: { blob: 'x'.repeat(16 * 1024) } }, 'context'],
    [{ contact: { name: 'A' }, surprise: true }, 'surprise'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const before = (await events('acme')).length;
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await events('acme')).length).toBe(before);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"contact":', headers: { 'content-type': 'application/json' } }, 400],
    ['a text/plain body', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } }, 415],
    ['a body over the limit', { rawBody: JSON.stringify({ contact: { name: 'x'.repeat(70_000) } }), headers: { 'content-type': 'application/json' } }, 413],
    ['a JSON array', { rawBody: '[1,2]', headers: { 'content-type': 'application/json' } }, 400],
    ['JSON null', { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400],
  ])('answers %s with a problem document, never a 5xx', async (_name, options, status) => {
    const res = await gw.request('POST', '/v1/conversations', { token: acme, ...options });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(status);
  });

  it('ends the chat (wrap-up), then wraps up with a disposition (closed), and refuses a second wrap-up', async () => {
    const { body: conv } = await create({ contact: { phone: '+447911100400' }, chat: { sessionId: 'wrap-1' } });
    const ended = await gw.request('POST', `/v1/conversations/${conv.id}/chat/end`, { token: acme });
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('wrap-up');
    expect(ended.body.interactions[0]).toMatchObject({ state: 'ended', endReason: 'completed' });
    const again = await gw.request('POST', `/v1/conversations/${conv.id}/chat/end`, { token: acme });
    expect(again.status).toBe(200);

    const closed = await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, {
      token: acme, body: { disposition: 'claim-opened', notes: 'SMS summary sent' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', disposition: 'claim-opened', notes: 'SMS summary sent' });
    expect(closed.body.closedAt).toEqual(expect.any(String));
    const twice = await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: acme, body: { disposition: 'x' } });
    expect(twice.status).toBe(409);

    const log = (await events('acme')).filter((e) => e.conversationId === conv.id).map((e) => e.type);
    expect(log).toEqual(['conversation.created', 'chat.linked', 'chat.ended', 'conversation.updated', 'conversation.closed']);
  });

  it('wrap-up of an active conversation ends the live chat first', async () => {
    const { body: conv } = await create({ contact: { phone: '+447911100401' }, chat: { sessionId: 'wrap-2' } });
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: acme, body: { disposition: 'resolved' } });
    expect(res.body.status).toBe('closed');
    expect(res.body.interactions[0]).toMatchObject({ state: 'ended', endReason: 'wrap-up' });
    const bad = await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: acme, body: { notes: 'no disposition' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('disposition');
  });

  it("lists the contact's activities newest first, with interactions, paged by cursor", async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      ids.push((await create({ contact: { phone: '+447911100500' }, chat: { sessionId: `act-${n}` } })).body.id);
    }
    const contactId = (await gw.request('GET', `/v1/conversations/${ids[0]}`, { token: acme })).body.contact.id;
    const page1 = await gw.request('GET', `/v1/contacts/${contactId}/activities?limit=2`, { token: acme });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.items[0].interactions[0].providerRef).toBe('act-2');
    const page2 = await gw.request('GET', `/v1/contacts/${contactId}/activities?limit=2&cursor=${page1.body.nextCursor}`, { token: acme });
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await gw.request('GET', `/v1/contacts/${contactId}/activities?cursor=bogus`, { token: acme })).status).toBe(400);
  });

  it('lists conversations filtered by status and agent', async () => {
    const { body: conv } = await create({ contact: { phone: '+447911100600' }, chat: { sessionId: 'list-1' }, agentId: 'carol' });
    const byAgent = await gw.request('GET', '/v1/conversations?agentId=carol', { token: acme });
    expect(byAgent.body.items.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: acme, body: { disposition: 'done' } });
    const closed = await gw.request('GET', '/v1/conversations?status=closed&agentId=carol', { token: acme });
    expect(closed.body.items).toHaveLength(1);
    expect((await gw.request('GET', '/v1/conversations?status=open', { token: acme })).status).toBe(400);
    expect((await gw.request('GET', '/v1/conversations?limit=1000', { token: acme })).status).toBe(400);
  });

  it('looks contacts up by phone in national form and patches them', async () => {
    const { body: conv } = await create({ contact: { phone: '+447911100700', name: 'Dan' }, chat: { sessionId: 'contact-1' } });
    const found = await gw.request('GET', '/v1/contacts?phone=07911%20100700', { token: acme });
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([conv.contact.id]);
    expect((await gw.request('GET', '/v1/contacts?phone=123', { token: acme })).body.errors[0].field).toBe('phone');

    const patched = await gw.request('PATCH', `/v1/contacts/${conv.contact.id}`, {
      token: acme, body: { name: 'Daniel', email: 'DAN@example.com', externalId: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Daniel', email: 'dan@example.com', phone: '+447911100700' });

    await create({ contact: { phone: '+447911100701' }, chat: { sessionId: 'contact-2' } });
    const clash = await gw.request('PATCH', `/v1/contacts/${conv.contact.id}`, { token: acme, body: { phone: '+447911100701' } });
    expect(clash.status).toBe(409);
    expect((await gw.request('GET', `/v1/contacts/${conv.contact.id}`, { token: acme })).body.phone).toBe('+447911100700');
  });

  it('honours Idempotency-Key: same request replays, another request with the key is a 422', async () => {
    const body = { contact: { phone: '+447911100800' }, context: { n: 1 } };
    const headers = { 'idempotency-key': 'click-42' };
    const first = await create(body, acme, headers);
    const second = await create(body, acme, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const listed = await gw.request('GET', `/v1/conversations?contactId=${first.body.contact.id}`, { token: acme });
    expect(listed.body.items).toHaveLength(1);

    const other = await create({ ...body, context: { n: 2 } }, acme, headers);
    expect(other.status).toBe(422);
    // Keys are per caller, so per tenant too: globex may use the same key.
    expect((await create({ contact: { name: 'G' } }, globex, headers)).status).toBe(201);
    // A request that failed validation does not burn the key.
    const badKey = { 'idempotency-key': 'retry-after-fix' };
    expect((await create({ contact: { phone: '1' } }, acme, badKey)).status).toBe(400);
    expect((await create({ contact: { phone: '+447911100801' } }, acme, badKey)).status).toBe(201);
    expect((await create(body, acme, { 'idempotency-key': 'x'.repeat(300) })).status).toBe(400);
  });

  it('keeps Idempotency-Keys per caller: two agents of one tenant with the same key get independent answers', async () => {
    const bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    const carol = await gw.token({ tenantId: 'acme', agentId: 'carol' });
    const key = { 'idempotency-key': 'new-conversation-1' };
    const asked = { contact: { phone: '+447911100810' } };
    const mine = await create(asked, acme, key);
    expect(mine.status).toBe(201);
    // Bob sends the same request with the same key: his own conversation, not Alice's answer replayed.
    const his = await create(asked, bob, key);
    expect(his.status).toBe(201);
    expect(his.headers.get('idempotent-replayed')).toBeNull();
    expect(his.body.id).not.toBe(mine.body.id);
    expect(his.body.agentId).toBe('bob');
    // Carol sends another request with that key: no 422, since the key she used is her own.
    const hers = await create({ contact: { phone: '+447911100811' } }, carol, key);
    expect(hers.status).toBe(201);
    expect(hers.body.contact.phone).toBe('+447911100811');
    // Each caller's retry replays their own answer.
    for (const [token, first] of [[acme, mine], [bob, his]] as const) {
      const retry = await create(asked, token, key);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
    }
    // The 1–200 visible ASCII characters are the caller's own key, whatever the stored form.
    const longest = { 'idempotency-key': 'k'.repeat(200) };
    expect((await create({ contact: { phone: '+447911100812' } }, bob, longest)).status).toBe(201);
    expect((await create({ contact: { phone: '+447911100812' } }, bob, longest)).headers.get('idempotent-replayed')).toBe('true');
    expect((await create({ contact: { phone: '+447911100812' } }, bob, { 'idempotency-key': 'k'.repeat(201) })).status).toBe(400);
  });
}

describe('conversations API on SQLite', () => {
  conversationSuite(async () => ({}));
});

describeWithPostgres('conversations API on PostgreSQL', () => {
  conversationSuite(async () => {
    const db: TestDatabase = await createTestDatabase();
    return { url: db.url, drop: () => db.drop() };
  });
});
