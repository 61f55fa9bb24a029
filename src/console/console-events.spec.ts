import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOGUE, EVENT_TYPES } from '../events/domain/event-catalogue';
import type { JsonSchema } from '../events/domain/typed-schema';
import { buildAsyncApiDocument } from '../openapi/asyncapi.builder';

/** The console (public/app.js) against the event catalogue it shows. */
const APP = readFileSync(join(__dirname, '..', '..', 'public', 'app.js'), 'utf8');

/** Every property name any event's data may carry, at any depth. */
function propertyNames(schema: JsonSchema, into = new Set<string>()): Set<string> {
  for (const branch of (schema.anyOf as JsonSchema[] | undefined) ?? []) propertyNames(branch, into);
  if (schema.items) propertyNames(schema.items as JsonSchema, into);
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    into.add(name);
    propertyNames(property, into);
  }
  return into;
}

describe('the console and the event catalogue', () => {
  const known = new Set<string>();
  for (const type of EVENT_TYPES) propertyNames(EVENT_CATALOGUE[type].data, known);

  it('summarises only fields some event carries', () => {
    const body = APP.slice(APP.indexOf('function summarizeEvent('), APP.indexOf('// ---- wiring'));
    const read = new Set([...body.matchAll(/\bdata\.([A-Za-z]+)/g)].map((m) => m[1]!));
    const listed = body.match(/for \(const key of \[([^\]]+)\]\)/)?.[1];
    expect(listed).toBeDefined();
    for (const [, key] of listed!.matchAll(/'([A-Za-z]+)'/g)) read.add(key!);
    expect(read.size).toBeGreaterThan(8);
    expect([...read].filter((key) => !known.has(key))).toEqual([]);
  });

  it('names no event type the catalogue lacks', () => {
    const prefixes = [...new Set(EVENT_TYPES.map((type) => type.split('.')[0]))].join('|');
    const named = [...APP.matchAll(new RegExp(`['"\`]((?:${prefixes})\\.[a-z_]+)['"\`]`, 'g'))].map((m) => m[1]!);
    expect(named.filter((type) => !(EVENT_TYPES as string[]).includes(type))).toEqual([]);
  });

  it('reads the types from where /asyncapi.json lists them: operations.events.messages, each with a summary', () => {
    expect(APP).toContain("fetch('/asyncapi.json')");
    expect(APP).toContain('document.operations.events.messages');
    const document = buildAsyncApiDocument();
    const names = (document.operations.events.messages as Array<{ $ref: string }>).map(({ $ref }) => $ref.slice($ref.lastIndexOf('/') + 1));
    expect(names).toEqual(EVENT_TYPES);
    expect(names.map((name) => document.components.messages[name].summary)).toEqual(EVENT_TYPES.map((type) => EVENT_CATALOGUE[type].summary));
  });
});
