import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * The reference a developer works from: every operation of /openapi.json says what it does, what it
 * takes and what it answers (with examples that match its schemas), internal routes stay out, and
 * what it says of the socket agrees with the README and the configuration.
 */
type Operation = OpenAPIV3_1.OperationObject & { 'x-roles'?: string[] };
type Json = Record<string, unknown>;

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const NO_CONTENT = new Set(['101', '204']);

describe('the API reference', () => {
  let gw: TestGateway;
  let spec: OpenAPIV3_1.Document;
  let operations: Array<{ key: string; op: Operation }>;

  beforeAll(async () => {
    gw = await startTestGateway({ events: { heartbeatMs: 15000 } } as never);
    spec = (await gw.request('GET', '/openapi.json', { token: null })).body as OpenAPIV3_1.Document;
    operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) => Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ key: `${method} ${path}`, op })));
  });
  afterAll(() => gw.close());

  const success = (op: Operation) => Object.entries(op.responses ?? {}).filter(([status]) => /^[123]\d\d$/.test(status)) as Array<[string, OpenAPIV3_1.ResponseObject]>;

  it('gives every operation a summary and a description', () => {
    expect(operations.length).toBeGreaterThan(40);
    const lacking = operations.filter(({ op }) => !op.summary?.trim() || !op.description?.trim() || op.description.trim().startsWith('Roles:')).map(({ key }) => key);
    expect(lacking).toEqual([]);
  });

  it('gives every success response with a body a schema and an example, and every request body an example', () => {
    const lacking: string[] = [];
    for (const { key, op } of operations) {
      const answers = success(op);
      if (answers.length === 0) lacking.push(`${key}: no success response`);
      for (const [status, response] of answers) {
        if (NO_CONTENT.has(status)) continue;
        const media = Object.entries(response.content ?? {});
        if (media.length === 0) lacking.push(`${key} ${status}: no content`);
        for (const [type, content] of media) {
          if (!content.schema || Object.keys(content.schema).length === 0) lacking.push(`${key} ${status} ${type}: no schema`);
          if (content.example === undefined) lacking.push(`${key} ${status} ${type}: no example`);
        }
      }
      for (const [type, content] of Object.entries((op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content ?? {})) {
        if (content.example === undefined) lacking.push(`${key} request ${type}: no example`);
      }
      for (const [status, response] of Object.entries(op.responses ?? {}) as Array<[string, OpenAPIV3_1.ResponseObject]>) {
        if (!/^[123]/.test(status) && !response.content?.['application/problem+json']?.example) lacking.push(`${key} ${status}: no problem example`);
      }
    }
    expect(lacking).toEqual([]);
  });

  it('has JSON examples that match their own schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: spec.components } as Json);
    const rewrite = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/'));
    const wrong: Array<{ where: string; errors: unknown }> = [];
    const check = (where: string, schema: unknown, example: unknown) => {
      const validate = ajv.compile(rewrite(schema) as Json);
      if (!validate(example)) wrong.push({ where, errors: validate.errors?.slice(0, 3) });
    };
    let checked = 0;
    for (const { key, op } of operations) {
      for (const [status, response] of success(op)) {
        const json = response.content?.['application/json'];
        if (json?.schema && json.example !== undefined) { check(`${key} ${status}`, json.schema, json.example); checked++; }
      }
      const body = (op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content?.['application/json'];
      if (body?.schema && body.example !== undefined && !key.includes('/webhooks/')) { check(`${key} request`, body.schema, body.example); checked++; }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(35);
  });

  it('answers as its schemas say: a conversation, its timeline and the caller’s settings', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: spec.components } as Json);
    const token = await gw.token({ roles: ['agent'] });
    const created = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155553901', name: 'Ann' }, chat: { sessionId: 'docs-1' }, context: { gps: [51.5, -0.12] } } });
    const answers: Array<[string, unknown]> = [
      ['Conversation', created.body],
      ['ConversationPage', (await gw.request('GET', '/v1/conversations?assigned=me', { token })).body],
      ['TimelinePage', (await gw.request('GET', `/v1/conversations/${created.body.id}/timeline`, { token })).body],
      ['Contact', (await gw.request('GET', `/v1/contacts/${created.body.contact.id}`, { token })).body],
      ['ActivityPage', (await gw.request('GET', `/v1/contacts/${created.body.contact.id}/activities`, { token })).body],
      ['Me', (await gw.request('GET', '/v1/me', { token })).body],
    ];
    const wrong = answers.filter(([name, body]) => !ajv.validate({ $ref: `doc#/components/schemas/${name}` }, body)).map(([name]) => ({ name, errors: ajv.errors }));
    expect(wrong).toEqual([]);
  });

  it('leaves the console’s own files out', () => {
    expect(Object.keys(spec.paths ?? {})).not.toContain('/{file}');
    expect(Object.keys(spec.paths ?? {})).toContain('/');
  });

  it('states the heartbeat interval the gateway uses, as the README does', () => {
    const events = (spec.paths!['/v1/events'] as Record<string, Operation>).get!;
    const readme = /"op": "heartbeat"[^\n]*every (\d+) s/.exec(README)?.[1];
    expect(readme).toBe('15');
    expect(events.description).toContain(`every ${readme} s`);
    expect(events.description).not.toMatch(/at least every 30 s/);
  });

  it('is self-contained: the README and docs/ link nothing outside the repository', () => {
    const texts = [README, readFileSync(join(__dirname, '..', '..', 'docs', 'api-contract.md'), 'utf8')];
    for (const text of texts) expect(text).not.toMatch(/\]\(\.\.\/(?!docs\/|README)|\.\.\/shared/);
  });

  it('renders descriptions, schemas and examples on /docs', async () => {
    const res = await gw.request('GET', '/docs', { token: null });
    expect(res.text).toContain("label + ' example:'");
    expect(res.text).toContain('"example":');
    expect(res.text).toContain('Open a conversation');
    expect(res.text).toContain('<script id="events-spec" type="application/json">');
    expect(res.text).toContain('"sms.received"');
  });
});
