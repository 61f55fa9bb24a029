import { IS_PUBLIC } from '../../src/common/auth/auth.decorators';
import { ROLES, type Role } from '../../src/common/auth/principal';
import { declaredRoles } from '../../src/common/auth/roles.decorator';
import { discoverRoutes } from '../../src/openapi/openapi.builder';
import { startTestGateway, type TestGateway, type TestResponse } from '../support/gateway';
import { EventClient } from '../support/ws-client';

/** An operation of the OpenAPI document that needs a bearer token. */
interface SecuredOperation {
  method: string;
  path: string;
  roles: Role[];
  description: string;
  forbidden: string | undefined;
}

/**
 * Playing a customer is for supervisors and admins (training, demos), not for agents; so are
 * giving a conversation to an agent and seeing who is online.
 */
const SUPERVISOR_ONLY = new Set(['post /v1/simulator/inbound-sms', 'post /v1/conversations/{id}/assign', 'get /v1/agents',
  'post /v1/simulator/inbound-call', 'get /v1/agents/{agentId}/device',
  // Listening in on, coaching or joining an agent's call.
  'post /v1/calls/{id}/supervise', 'patch /v1/calls/{id}/supervise', 'patch /v1/calls/{id}/supervise/{pid}',
  // Sending a call's audio out of the gateway to a receiver (a transcription service).
  'post /v1/calls/{id}/streams', 'get /v1/calls/{id}/streams', 'delete /v1/calls/{id}/streams/{streamId}']);

/** Where an agent's calls ring is set by admins only. */
const ADMIN_ONLY = new Set(['put /v1/agents/{agentId}/device', 'delete /v1/agents/{agentId}/device',
  // Erasing a call recording (erasure requests).
  'delete /v1/recordings/{id}',
  // The tenant's own settings, policies and numbers (the admin API).
  'get /v1/admin/tenants', 'get /v1/admin/tenants/{tenantId}', 'patch /v1/admin/tenants/{tenantId}',
  'put /v1/admin/tenants/{tenantId}/numbers/{number}', 'delete /v1/admin/tenants/{tenantId}/numbers/{number}',
  // Its API keys for machine clients, and its own provider accounts.
  'post /v1/admin/api-keys', 'get /v1/admin/api-keys', 'delete /v1/admin/api-keys/{keyId}',
  'get /v1/admin/providers/credentials', 'put /v1/admin/providers/{provider}/credentials', 'delete /v1/admin/providers/{provider}/credentials']);

/** The role matrix, written out independently of the decorators, one row per kind of token. */
const MATRIX: Array<[row: string, roles: Role[], mayCall: (operation: string) => boolean]> = [
  ['an agent: conversations, contacts, calls, messages and attachments of their tenant', ['agent'], (op) => !SUPERVISOR_ONLY.has(op) && !ADMIN_ONLY.has(op)],
  ['a supervisor: everything an agent may, and the simulator', ['supervisor'], (op) => !ADMIN_ONLY.has(op)],
  ['an admin: everything', ['admin'], () => true],
  ['an agent who is also a supervisor: everything', ['agent', 'supervisor'], (op) => !ADMIN_ONLY.has(op)],
  ['a token with no role (roles: [])', [], () => false],
];

const ROLE_REFUSAL = /^this operation needs one of the roles /;

describe('roles on REST routes', () => {
  let gw: TestGateway;
  let operations: SecuredOperation[];

  beforeAll(async () => {
    gw = await startTestGateway();
    const spec = (await gw.request('GET', '/openapi.json', { token: null })).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    operations = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item)
        // The WebSocket is not a Nest route: its roles are checked per topic (below).
        .filter(([, op]) => Array.isArray(op.security) && op.security.length > 0 && path !== '/v1/events')
        .map(([method, op]) => ({
          method,
          path,
          roles: op['x-roles'] as Role[],
          description: String(op.description ?? ''),
          forbidden: ((op.responses as Record<string, { description?: string }> | undefined)?.['403'])?.description,
        })),
    );
  });
  afterAll(() => gw.close());

  /** Calls the operation with made-up ids and an empty body: the guard answers before any of it matters. */
  const call = async (op: SecuredOperation, token: string): Promise<TestResponse> => {
    const path = op.path.replace(/\{[^}]+\}/g, 'no-such-id');
    return gw.request(op.method.toUpperCase(), path, { token, ...(op.method === 'get' ? {} : { body: {} }) });
  };
  const refusedByRole = (res: TestResponse): boolean => res.status === 403 && ROLE_REFUSAL.test(String(res.body?.detail));

  it('finds the API operations to walk', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['post /v1/conversations', 'post /v1/simulator/inbound-sms']));
  });

  it('declares roles on every route of the Nest router that is not public', () => {
    const undeclared = discoverRoutes(gw.app)
      .filter((r) => Reflect.getMetadata(IS_PUBLIC, r.handler) !== true && Reflect.getMetadata(IS_PUBLIC, r.controller) !== true)
      .filter((r) => declaredRoles(r.handler, r.controller) === undefined)
      .map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('documents the roles of every secured operation (x-roles, description, 403)', () => {
    for (const op of operations) {
      expect({ op: `${op.method} ${op.path}`, roles: op.roles }).toEqual({ op: `${op.method} ${op.path}`, roles: expect.any(Array) });
      expect(op.roles.length).toBeGreaterThan(0);
      expect(op.roles.every((r) => ROLES.includes(r))).toBe(true);
      expect(op.description).toContain(`Roles: ${op.roles.join(', ')}`);
      expect(op.forbidden).toBe(`The token has none of the roles ${op.roles.join(', ')}.`);
    }
  });

  it('answers 403 naming the needed roles to a token lacking them, on every secured operation', async () => {
    const none = await gw.token({ roles: [] });
    const unknownOnly = await gw.token({ roles: ['root', 'owner'] as never });
    for (const op of operations) {
      const others = ROLES.filter((r) => !op.roles.includes(r));
      const tokens = [none, unknownOnly, ...(others.length > 0 ? [await gw.token({ roles: others })] : [])];
      for (const token of tokens) {
        const res = await call(op, token);
        expect({ op: `${op.method} ${op.path}`, status: res.status, type: res.headers.get('content-type') }).toEqual({
          op: `${op.method} ${op.path}`, status: 403, type: expect.stringMatching(/^application\/problem\+json/),
        });
        expect(res.body).toMatchObject({ status: 403, detail: expect.stringContaining(`needs one of the roles ${op.roles.join(', ')}`) });
      }
    }
  });

  it.each(MATRIX)('lets %s call exactly its operations', async (_row, roles, mayCall) => {
    const token = await gw.token({ agentId: `matrix-${roles.join('-') || 'none'}`, roles });
    const outcome: Record<string, boolean> = {};
    const expected: Record<string, boolean> = {};
    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      const res = await call(op, token);
      expect(res.status).not.toBe(401);
      outcome[name] = !refusedByRole(res);
      expected[name] = mayCall(name);
    }
    expect(outcome).toEqual(expected);
  });

  it('says which roles a token without any known role lacks, and keeps 401 for a malformed roles claim', async () => {
    const res = await gw.request('GET', '/v1/conversations', { token: await gw.token({ roles: ['root'] as never }) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      status: 403,
      detail: 'this operation needs one of the roles agent, supervisor, admin; the token has none of agent, supervisor, admin',
    });
    const sim = await gw.request('POST', '/v1/simulator/inbound-sms', { token: await gw.token({ roles: ['agent'] }), body: {} });
    expect(sim.body).toMatchObject({ status: 403, detail: 'this operation needs one of the roles supervisor, admin; the token has agent' });
  });

  it('refuses every event topic to a token without a known role', async () => {
    const client = await EventClient.connect(gw.url, await gw.token({ agentId: 'a1', roles: [] }));
    try {
      client.send({ op: 'subscribe', topics: ['agent:a1'] });
      expect(await client.next((f) => f.op === 'error' || f.op === 'subscribed')).toMatchObject({
        op: 'error', status: 403, topic: 'agent:a1', detail: expect.stringContaining('agent, supervisor, admin'),
      });
    } finally {
      client.close();
    }
  });
});
