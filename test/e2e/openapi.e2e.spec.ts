import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** Every route of the contract (docs/api-contract.md §3–§8), as OpenAPI paths. */
const CONTRACT_ROUTES: Array<[method: string, path: string]> = [
  ['post', '/v1/conversations'],
  ['get', '/v1/conversations'],
  ['get', '/v1/conversations/{id}'],
  ['post', '/v1/conversations/{id}/chat/end'],
  ['post', '/v1/conversations/{id}/wrap-up'],
  ['post', '/v1/conversations/{id}/claim'],
  ['post', '/v1/conversations/{id}/assign'],
  ['post', '/v1/conversations/{id}/release'],
  ['get', '/v1/agents'],
  ['get', '/v1/contacts/{id}'],
  ['get', '/v1/contacts'],
  ['patch', '/v1/contacts/{id}'],
  ['get', '/v1/contacts/{id}/activities'],
  ['post', '/v1/conversations/{id}/calls'],
  ['get', '/v1/calls/{id}'],
  ...['hangup', 'hold', 'resume', 'mute', 'unmute', 'dtmf', 'transfer'].map((c): [string, string] => ['post', `/v1/calls/{id}/${c}`]),
  ['post', '/v1/conversations/{id}/messages'],
  ['get', '/v1/attachments/{id}'],
  ['post', '/v1/simulator/inbound-sms'],
  ['post', '/webhooks/twilio/sms'],
  ['post', '/webhooks/twilio/sms/status'],
  ['post', '/webhooks/twilio/voice'],
  ['post', '/webhooks/twilio/voice/status'],
  ['post', '/webhooks/jambonz/call'],
  ['post', '/webhooks/jambonz/call/status'],
  ['post', '/webhooks/jambonz/sms'],
  ['post', '/webhooks/jambonz/sms/status'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
  ['get', '/metrics'],
  ['get', '/v1/events'],
];

describe('OpenAPI document', () => {
  let gw: TestGateway;
  let spec: OpenAPIV3_1.Document;

  beforeAll(async () => {
    gw = await startTestGateway();
    const res = await gw.request('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    spec = res.body as OpenAPIV3_1.Document;
  });
  afterAll(() => gw.close());

  it('is a valid OpenAPI document', async () => {
    expect(spec.openapi).toMatch(/^3\.(1\.\d+|0\.3)$/);
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(spec) as never)).resolves.toBeDefined();
  });

  it.each(CONTRACT_ROUTES)('documents %s %s', (method, path) => {
    const item = spec.paths?.[path] as Record<string, unknown> | undefined;
    expect(item).toBeDefined();
    expect(item?.[method]).toBeDefined();
  });

  it('has no Nest-style :param left in its paths', () => {
    expect(Object.keys(spec.paths ?? {}).filter((p) => p.includes(':'))).toEqual([]);
  });

  it('requires contact in the body of POST /v1/conversations', async () => {
    const deref = (await SwaggerParser.dereference(structuredClone(spec) as never)) as OpenAPIV3_1.Document;
    const op = deref.paths!['/v1/conversations']!.post!;
    const body = op.requestBody as OpenAPIV3_1.RequestBodyObject;
    const schema = body.content['application/json']!.schema as OpenAPIV3_1.SchemaObject;
    expect(schema.required).toContain('contact');
    const contact = schema.properties!.contact as OpenAPIV3_1.SchemaObject;
    expect(Object.keys(contact.properties ?? {})).toEqual(expect.arrayContaining(['phone', 'email', 'name', 'externalId']));
    expect(op.responses!['201']).toBeDefined();
    expect(op.parameters?.map((p) => (p as OpenAPIV3_1.ParameterObject).name)).toContain('Idempotency-Key');
  });

  it('marks API routes bearer-secured and public routes without security', () => {
    const get = (path: string, method: string): OpenAPIV3_1.OperationObject => (spec.paths![path] as Record<string, OpenAPIV3_1.OperationObject>)[method]!;
    expect(spec.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(get('/v1/conversations/{id}', 'get').security).toEqual([{ bearer: [] }]);
    expect(get('/health/live', 'get').security).toEqual([]);
    expect(get('/webhooks/twilio/sms', 'post').security).toEqual([]);
    expect(get('/openapi.json', 'get').security).toEqual([]);
  });

  it('uses @HttpCode, path parameters and problem responses', () => {
    const post = (path: string): OpenAPIV3_1.OperationObject => (spec.paths![path] as Record<string, OpenAPIV3_1.OperationObject>).post!;
    expect(Object.keys(post('/v1/conversations/{id}/calls').responses!)).toContain('202');
    expect(Object.keys(post('/v1/calls/{id}/hangup').responses!)).toContain('200');
    expect(Object.keys(post('/webhooks/twilio/sms/status').responses!)).toContain('204');
    const hangup = post('/v1/calls/{id}/hangup');
    expect(hangup.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true }));
    const problem = hangup.responses!['404'] as OpenAPIV3_1.ResponseObject;
    expect(problem.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(spec.components?.schemas?.Problem?.properties).toEqual(
      expect.objectContaining({ type: expect.anything(), title: expect.anything(), status: expect.anything(), detail: expect.anything(), errors: expect.anything() }),
    );
    expect(Object.keys(post('/webhooks/twilio/sms').requestBody ? (post('/webhooks/twilio/sms').requestBody as OpenAPIV3_1.RequestBodyObject).content : {})).toEqual([
      'application/x-www-form-urlencoded',
    ]);
  });

  describe('nullability, checked against what each route does with a null', () => {
    type Body = Record<string, unknown>;
    /** Fresh resources per attempt (a null that is accepted changes them): the URL and valid bodies. */
    type Prepare = () => Promise<{ url: string; bodies: Body[] }>;
    let supervisor: string;
    let n = 0;
    const phone = () => `+1415555${String(3000 + (n++ % 7000)).padStart(4, '0')}`;
    const conversation = async () => {
      const res = await gw.request('POST', '/v1/conversations', { token: supervisor, body: { contact: { phone: phone() } } });
      expect(res.status).toBe(201);
      return res.body as { id: string; contact: { id: string; phone: string } };
    };
    const answeredCall = async () => {
      const { id } = await conversation();
      const call = await gw.request('POST', `/v1/conversations/${id}/calls`, { token: supervisor, body: { agentEndpoint: 'user:alice' } });
      for (let i = 0; i < 200; i++) {
        if ((await gw.request('GET', `/v1/calls/${call.body.id}`, { token: supervisor })).body.state === 'answered') return call.body.id as string;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the simulated call did not answer');
    };
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    /** Every operation with a JSON body, except the provider webhooks (they are signed and not ours to shape). */
    const CASES: Record<string, Prepare> = {
      'post /v1/conversations': async () => ({
        url: '/v1/conversations',
        bodies: [{ contact: { phone: phone(), email: 'n@example.com', name: 'N', externalId: `crm-${n}` }, chat: { sessionId: `s-${n}`, origin: 'web' }, agentId: 'a1', context: { a: 1 } }],
      }),
      'patch /v1/contacts/{id}': async () => {
        const { contact } = await conversation();
        return { url: `/v1/contacts/${contact.id}`, bodies: [{ name: 'Someone', email: `someone-${n}@example.com` }] };
      },
      'post /v1/conversations/{id}/messages': async () => {
        const { id, contact } = await conversation();
        return { url: `/v1/conversations/${id}/messages`, bodies: [
          { body: 'hi', to: contact.phone, provider: 'simulator', mediaUrls: ['https://media.example.com/a.jpg'] },
          { template: { text: 'Hi <name>', params: { name: 'N' } } },
        ] };
      },
      'post /v1/conversations/{id}/calls': async () => {
        const { id, contact } = await conversation();
        return { url: `/v1/conversations/${id}/calls`, bodies: [{ agentEndpoint: 'user:alice', to: contact.phone, provider: 'simulator', consent: { via: 'chat', at: '2026-01-01T00:00:00Z' } }] };
      },
      'post /v1/calls/{id}/dtmf': async () => ({ url: `/v1/calls/${await answeredCall()}/dtmf`, bodies: [{ digits: '1' }] }),
      'post /v1/calls/{id}/recording': async () => ({ url: `/v1/calls/${await answeredCall()}/recording`, bodies: [{ action: 'start' }] }),
      'post /v1/calls/{id}/streams': async () => ({ url: `/v1/calls/${await answeredCall()}/streams`, bodies: [{ url: 'wss://asr.example.invalid/in', tracks: ['customer'], format: 'tracks', sampleRate: 8000 }] }),
      'post /v1/calls/{id}/transfer': async () => ({ url: `/v1/calls/${await answeredCall()}/transfer`, bodies: [{ to: 'user:bob' }] }),
      'post /v1/calls/{id}/consult': async () => ({ url: `/v1/calls/${await answeredCall()}/consult`, bodies: [{ to: 'user:bob' }] }),
      'post /v1/calls/{id}/participants': async () => ({ url: `/v1/calls/${await answeredCall()}/participants`, bodies: [{ to: 'user:bob', role: 'consultee' }] }),
      'post /v1/calls/{id}/supervise': async () => ({ url: `/v1/calls/${await answeredCall()}/supervise`, bodies: [{ endpoint: 'user:sue', mode: 'monitor' }] }),
      'post /v1/conversations/{id}/transfer': async () => ({ url: `/v1/conversations/${(await conversation()).id}/transfer`, bodies: [{ agentId: 'bob' }, { queue: true }] }),
      'patch /v1/calls/{id}/supervise': async () => {
        const id = await answeredCall();
        await gw.request('POST', `/v1/calls/${id}/supervise`, { token: supervisor, body: { endpoint: 'user:sue', mode: 'monitor' } });
        return { url: `/v1/calls/${id}/supervise`, bodies: [{ mode: 'whisper' }] };
      },
      'patch /v1/calls/{id}/supervise/{pid}': async () => {
        const id = await answeredCall();
        const view = await gw.request('POST', `/v1/calls/${id}/supervise`, { token: supervisor, body: { endpoint: 'user:sue', mode: 'monitor' } });
        return { url: `/v1/calls/${id}/supervise/${view.body.participants[2].participantId}`, bodies: [{ mode: 'whisper' }] };
      },
      'post /v1/conversations/{id}/agents': async () => ({ url: `/v1/conversations/${(await conversation()).id}/agents`, bodies: [{ agentId: 'bob' }] }),
      'post /v1/conversations/{id}/assign': async () => ({ url: `/v1/conversations/${(await conversation()).id}/assign`, bodies: [{ agentId: 'bob' }] }),
      'post /v1/conversations/{id}/wrap-up': async () => ({ url: `/v1/conversations/${(await conversation()).id}/wrap-up`, bodies: [{ disposition: 'resolved', notes: 'n' }] }),
      'post /v1/simulator/inbound-sms': async () => ({
        url: '/v1/simulator/inbound-sms',
        bodies: [{ from: phone(), to: '+14155550100', body: 'hello', media: [{ contentType: 'image/png', data: png }] }],
      }),
      'post /v1/simulator/inbound-call': async () => ({ url: '/v1/simulator/inbound-call', bodies: [{ from: phone(), to: '+14155550100', digits: '1' }] }),
      'put /v1/agents/{agentId}/device': async () => ({ url: '/v1/agents/nully/device', bodies: [{ endpoint: 'user:nully' }] }),
      'put /v1/agents/me/status': async () => ({ url: '/v1/agents/me/status', bodies: [{ status: 'available' }] }),
      // The default tenant's own values: the change is accepted and changes nothing the other cases see.
      'patch /v1/admin/tenants/{tenantId}': async () => ({ url: '/v1/admin/tenants/default', bodies: [{ name: 'Default tenant', policies: { maxComposeLength: 1600, holdMusicUrl: null } }] }),
      'put /v1/admin/tenants/{tenantId}/numbers/{number}': async () => ({ url: '/v1/admin/tenants/default/numbers/%2B14155550188', bodies: [{ provider: 'simulator' }] }),
      'post /v1/admin/api-keys': async () => ({ url: '/v1/admin/api-keys', bodies: [{ name: 'openapi', roles: ['admin'], agentId: 'openapi-bot' }] }),
      'put /v1/admin/providers/{provider}/credentials': async () => ({ url: '/v1/admin/providers/twilio/credentials', bodies: [{ accountSid: `AC${'0'.repeat(32)}`, authToken: 'openapi-twilio-token-0123' }] }),
    };

    type Schema = OpenAPIV3_1.SchemaObject;
    const branches = (s: Schema): Schema[] => [s, ...((s.anyOf ?? s.oneOf ?? []) as Schema[])];
    const isNullable = (s: Schema): boolean => branches(s).some((b) => (b as { nullable?: boolean }).nullable === true
      || b.type === 'null' || (Array.isArray(b.type) && (b.type as string[]).includes('null')));
    /** Every property path of a schema with its schema: `contact`, `contact.phone`, `media.0.data`, … */
    const propertyPaths = (s: Schema, prefix = ''): Array<[string, Schema]> => branches(s).flatMap((b) => [
      ...Object.entries((b.properties ?? {}) as Record<string, Schema>).flatMap(([name, p]): Array<[string, Schema]> => [[prefix + name, p], ...propertyPaths(p, `${prefix}${name}.`)]),
      ...(b.type === 'array' && b.items ? propertyPaths(b.items as Schema, `${prefix}0.`) : []),
    ]);
    const lookup = (body: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), body);
    const withNull = (body: Body, path: string[]): Body => {
      const copy = structuredClone(body);
      (lookup(copy, path.slice(0, -1)) as Record<string, unknown>)[path.at(-1)!] = null;
      return copy;
    };

    let operations: Array<[string, Schema]>;
    beforeAll(async () => {
      supervisor = await gw.token({ roles: ['supervisor', 'admin'] });
      const deref = (await SwaggerParser.dereference(structuredClone(spec) as never)) as OpenAPIV3_1.Document;
      operations = Object.entries(deref.paths ?? {}).flatMap(([path, item]) => Object.entries(item as Record<string, OpenAPIV3_1.OperationObject>)
        .filter(([, op]) => (op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content?.['application/json'])
        .filter(() => !path.startsWith('/webhooks/'))
        .map(([method, op]): [string, Schema] => [`${method} ${path}`, (op.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']!.schema as Schema]));
    });

    it('has a case for every operation with a JSON body', () => {
      expect(operations.map(([key]) => key).filter((key) => !CASES[key])).toEqual([]);
    });

    it('marks a property nullable exactly when the route takes null for it (2xx), and not when it answers 400 naming it', async () => {
      const verdicts: Array<{ field: string; documented: boolean; status: number; named: boolean }> = [];
      for (const [key, schema] of operations) {
        const [method] = key.split(' ');
        for (const [field, property] of propertyPaths(schema)) {
          const path = field.split('.');
          const { url, bodies } = await CASES[key]!();
          const base = bodies.find((b) => path.length === 1 || lookup(b, path.slice(0, -1)) !== undefined);
          if (!base) throw new Error(`${key}: no valid body holds ${field}; add one to CASES`);
          const res = await gw.request(method!.toUpperCase(), url, { token: supervisor, body: withNull(base, path) });
          const named = (res.body?.errors ?? []).some((e: { field: string }) => e.field === field);
          verdicts.push({ field: `${key} ${field}`, documented: isNullable(property), status: res.status, named });
        }
      }
      expect(verdicts.length).toBeGreaterThan(20);
      // Documented nullable: the null is taken. Not nullable: a 400 naming exactly that field.
      const wrong = verdicts.filter((v) => (v.documented ? !(v.status >= 200 && v.status < 300) : !(v.status === 400 && v.named)));
      expect(wrong).toEqual([]);
      // The PATCH that clears a field does take null, and says so.
      expect(verdicts.filter((v) => v.field.startsWith('patch /v1/contacts/{id}')).map((v) => [v.field, v.documented])).toEqual(
        ['phone', 'email', 'name', 'externalId'].map((f) => [`patch /v1/contacts/{id} ${f}`, true]),
      );
    }, 120_000);
  });

  it('serves /docs as a self-contained HTML page', async () => {
    const res = await gw.request('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('/v1/conversations');
    expect(res.text).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/);
  });
});
