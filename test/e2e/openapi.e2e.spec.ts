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

  it('serves /docs as a self-contained HTML page', async () => {
    const res = await gw.request('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('/v1/conversations');
    expect(res.text).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/);
  });
});
