import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Principal } from '../auth/principal';
import type { TenantLookup } from '../auth/tenant-lookup';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { sendProblem } from '../errors/problem.filter';
import { maskAnswers } from './masked-answers';

/** A real Fastify instance with the hook; the caller comes from a header, as the auth guard would set it. */
describe('maskAnswers', () => {
  const callers: Record<string, Principal> = {
    agent: { agentId: 'alice', tenantId: 'masks', roles: ['agent'], pii: false },
    clear: { agentId: 'sam', tenantId: 'masks', roles: ['supervisor'], pii: true },
    open: { agentId: 'olga', tenantId: 'clear', roles: ['agent'], pii: false },
    gone: { agentId: 'gus', tenantId: 'deleted', roles: ['agent'], pii: false },
  };
  const tenants: TenantLookup = { find: (id) => ({ masks: { maskSensitiveData: true }, clear: { maskSensitiveData: false } })[id] };
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.addHook('preHandler', async (request) => {
      const caller = callers[String(request.headers['x-caller'])];
      if (caller) (request as { principal?: Principal }).principal = caller;
    });
    maskAnswers(app, tenants);
    app.get('/answer', async () => ({ id: '01J0000000000000000000000A', to: '+447966197542', context: { 'melissa@gmail.com': 1 } }));
    app.get('/refused', async (request, reply) => {
      const refusal = new DomainError(ErrorCode.BadGateway, "the provider did not carry out transfer: The 'To' number +14155550123 is not valid",
        [{ field: 'to', message: 'is +14155550123' }]);
      sendProblem(refusal, request, reply, pino({ level: 'silent' }), () => false);
      return reply;
    });
    app.get('/text', async (_request, reply) => reply.type('text/plain').send('+447966197542'));
    await app.ready();
  });
  afterAll(() => app.close());

  const get = async (url: string, caller?: string) => {
    const response = await app.inject({ method: 'GET', url, headers: caller ? { 'x-caller': caller } : {} });
    return { status: response.statusCode, type: response.headers['content-type'], body: response.body.startsWith('{') ? response.json() : response.body };
  };

  it('masks the answer of a caller who may not see personal data, its ids and keys as view-masking says', async () => {
    expect((await get('/answer', 'agent')).body).toEqual({ id: '01J0000000000000000000000A', to: '*********7542', context: { 'm******@gmail.com': 1 } });
  });

  it('masks the problem document of a refusal quoting a number, and keeps its status and type', async () => {
    const answer = await get('/refused', 'agent');
    expect(answer.status).toBe(502);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      status: 502,
      detail: "the provider did not carry out transfer: The 'To' number ********0123 is not valid",
      errors: [{ field: 'to', message: 'is ********0123' }],
    });
  });

  it.each([
    ['a pii supervisor', 'clear'],
    ['an agent of a tenant that does not mask', 'open'],
    ['a caller whose tenant is unknown (the guard refuses those)', 'gone'],
    ['a request without a caller (a webhook)', undefined],
  ])('leaves the answer and the problem in clear for %s', async (_who, caller) => {
    expect((await get('/answer', caller)).body).toMatchObject({ to: '+447966197542', context: { 'melissa@gmail.com': 1 } });
    expect(JSON.stringify((await get('/refused', caller)).body)).toContain('+14155550123');
  });

  it('is not called for a text answer (Fastify serialises objects only): no route with a caller answers one but files', async () => {
    expect((await get('/text', 'agent')).body).toBe('+447966197542');
  });
});
