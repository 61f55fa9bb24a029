import { startTestGateway, type TestGateway } from '../support/gateway';

/** GET /v1/me (what a desktop needs of its tenant) and the tenant's wrap-up reasons, enforced. */
describe('the caller and their tenant’s desktop settings', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', name: 'Acme', numbers: ['+14155550100'], maxComposeLength: 1000, dispositions: ['Resolved', 'Callback requested'], smsTemplates: ['Hi <name>'], requireConsent: true },
        { id: 'open', numbers: ['+14155550200'], maskSensitiveData: true },
      ],
    } as never);
  });
  afterAll(() => gw.close());

  it('answers the agent, roles and the settings a desktop acts on', async () => {
    const token = await gw.token({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] });
    const res = await gw.request('GET', '/v1/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      agentId: 'alice', roles: ['agent'], clearData: true,
      tenant: { id: 'acme', name: 'Acme', maxComposeLength: 1000, numbers: ['+14155550100'], dispositions: ['Resolved', 'Callback requested'], smsTemplates: ['Hi <name>'], requireConsent: true, maskSensitiveData: false },
    });
  });

  it('says whether the caller sees personal data in clear, and defaults the lists to empty', async () => {
    const agent = await gw.request('GET', '/v1/me', { token: await gw.token({ tenantId: 'open', roles: ['agent'] }) });
    expect([agent.body.clearData, agent.body.tenant.dispositions, agent.body.tenant.smsTemplates, agent.body.tenant.maxComposeLength]).toEqual([false, [], [], 1600]);
    const pii = await gw.request('GET', '/v1/me', { token: await gw.token({ tenantId: 'open', roles: ['supervisor'], pii: true }) });
    expect(pii.body.clearData).toBe(true);
  });

  it('is refused without a token, and to a token with no role', async () => {
    expect((await gw.request('GET', '/v1/me', { token: null })).status).toBe(401);
    expect((await gw.request('GET', '/v1/me', { token: await gw.token({ tenantId: 'acme', roles: [] }) })).status).toBe(403);
  });

  it('takes only a listed wrap-up reason when the tenant lists them (422 naming disposition), any when it does not', async () => {
    const token = await gw.token({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] });
    const created = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155553001' } } });
    const refused = await gw.request('POST', `/v1/conversations/${created.body.id}/wrap-up`, { token, body: { disposition: 'resolved' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'disposition', message: "must be one of this tenant's dispositions: Resolved, Callback requested" }]);
    expect((await gw.request('GET', `/v1/conversations/${created.body.id}`, { token })).body.status).toBe('active');
    const taken = await gw.request('POST', `/v1/conversations/${created.body.id}/wrap-up`, { token, body: { disposition: 'Resolved' } });
    expect([taken.status, taken.body.disposition]).toEqual([200, 'Resolved']);

    const other = await gw.token({ tenantId: 'open', roles: ['agent'] });
    const free = await gw.request('POST', '/v1/conversations', { token: other, body: { contact: { phone: '+14155553002' } } });
    expect((await gw.request('POST', `/v1/conversations/${free.body.id}/wrap-up`, { token: other, body: { disposition: 'anything at all' } })).status).toBe(200);
  });
});
