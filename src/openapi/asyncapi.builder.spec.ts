import { schemas } from '@asyncapi/specs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_TYPES } from '../events/domain/event-catalogue';
import { buildAsyncApiDocument } from './asyncapi.builder';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

/** Follows a local `#/a/b` reference. */
function resolve(document: Json, ref: string): unknown {
  return ref.slice(2).split('/').reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

function refsIn(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.push(v);
      else refsIn(v, into);
    }
  }
  return into;
}

describe('the AsyncAPI document of /v1/events', () => {
  const document = buildAsyncApiDocument();

  it('is valid against the AsyncAPI 3.0.0 JSON Schema', () => {
    // The bundle embeds the draft-07 meta-schema, which Ajv already holds under the same id.
    const schema = structuredClone(schemas['3.0.0']) as Json;
    delete schema.definitions['http://json-schema.org/draft-07/schema'];
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator does look: AsyncAPI 2's verbs are not 3.0's actions.
    const broken = structuredClone(document);
    broken.operations.events.action = 'publish';
    expect(validate(broken)).toBe(false);
  });

  it('has no dangling reference', () => {
    const dangling = refsIn(document).filter((ref) => !ref.startsWith('#/') || resolve(document, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('has one message per catalogue type, sent by the events operation, and the frames the socket handles', () => {
    const messages = Object.keys(document.components.messages);
    expect(messages).toEqual(expect.arrayContaining([...EVENT_TYPES, 'subscribe', 'unsubscribe', 'ping', 'subscribed', 'unsubscribed', 'error', 'pong', 'heartbeat']));
    expect(messages).toHaveLength(EVENT_TYPES.length + 8);
    expect(document.operations.events.messages).toEqual(EVENT_TYPES.map((type) => ({ $ref: `#/channels/events/messages/${type}` })));
    expect(document.channels.events.address).toBe('/v1/events');
  });

  it('has payloads that are valid JSON Schemas, and each event message accepts only its own type', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv);
    const frame = { op: 'event', cursor: '7', topic: 'tenant', event: { id: 'e1', type: 'agent.presence', conversationId: null, at: '2026-01-01T00:00:00.000Z', data: { agentId: 'a', status: 'online' } } };
    expect(ajv.validate(document.components.messages['agent.presence'].payload, frame)).toBe(true);
    expect(ajv.validate(document.components.messages['conversation.released'].payload, frame)).toBe(false);
    for (const name of Object.keys(document.components.messages)) {
      expect(() => ajv.compile(document.components.messages[name].payload)).not.toThrow();
    }
  });
});
