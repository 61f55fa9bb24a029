import 'reflect-metadata';
import { isDeepStrictEqual } from 'node:util';
import { ValidationPipe } from '@nestjs/common';
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { getMetadataStorage, IsOptional, IsString } from 'class-validator';
import { BodyPlan } from '../../src/common/errors/body-plans';
import { pipeOptions, rememberValidationRules, validationPipe } from '../../src/common/errors/validation';

// Every module that declares a request body's class (DTOs, and controllers with their own).
const MODULES = [
  '../../src/conversations/dto/conversation.dto', '../../src/conversations/agents/dto/add-agent.dto', '../../src/conversations/handover/dto/handover.dto',
  '../../src/calls/dto/call.dto', '../../src/calls/participants/dto/participants.dto', '../../src/media/dto/recording.dto', '../../src/media/dto/stream.dto',
  '../../src/contacts/dto/contact-input.dto', '../../src/messaging/dto/simulated-inbound-sms.dto', '../../src/messaging/dto/send-message.dto',
  '../../src/tenants/admin/tenant-admin.dto', '../../src/tenants/api-keys/api-keys.dto', '../../src/agents/agent-devices.controller',
  '../../src/routing/assignment.controller', '../../src/calls/inbound/inbound-calls.controller', '../../src/callbacks/callbacks.controller',
  '../../src/common/http/paging',
];

type Class = new () => object;
type Rule = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

const storage = getMetadataStorage();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage: transformerRules } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');
const rulesOf = (cls: Class): Rule[] => storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined);

function bodyClasses(): Class[] {
  const classes = new Set<Class>();
  for (const path of MODULES) {
    for (const value of Object.values(require(path) as Record<string, unknown>)) {
      if (typeof value === 'function' && rulesOf(value as Class).length > 0) classes.add(value as Class);
    }
  }
  return [...classes];
}

/** A copy made in this test's realm, as JSON.parse makes a body (Node's structuredClone makes it in another). */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A small deterministic generator (the same samples every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const STRINGS = ['+14155550100', '+442071838750', 'sip:alice@example.com', 'user:alice', 'alice', 'agent-1', 'https://example.com/a',
  'US', 'chat', 'sms', 'voice', 'web', 'mobile', 'a@example.com', '01JEXAMPLE0000000000000000', '2026-12-05T08:00:00.000Z', 'ABC', '123', ' '];
const WRONG: unknown[] = [null, 0, 1, -1, 2.5, true, false, 'x', '', [], {}, ['x'], { a: 1 }];

/** Values worth trying for a property: what its rules accept at their edges, what they refuse, and the wrong types. */
function candidates(rules: Rule[], next: () => number, depth: number): unknown[] {
  const out: unknown[] = [...WRONG];
  for (const rule of rules) {
    const [a, b] = rule.constraints ?? [];
    switch (rule.name) {
      case 'isIn': out.push(...(a as unknown[]), 'nope'); break;
      case 'length': out.push('a'.repeat(a as number), 'a'.repeat(Math.max(0, (a as number) - 1)), 'b'.repeat((b as number) ?? 10), 'c'.repeat(((b as number) ?? 10) + 1)); break;
      case 'maxLength': out.push('a'.repeat(a as number), 'a'.repeat((a as number) + 1)); break;
      case 'minLength': out.push('a'.repeat(a as number), 'a'.repeat(Math.max(0, (a as number) - 1))); break;
      case 'matches': out.push(...STRINGS.filter((s) => new RegExp(a as RegExp | string, b as string | undefined).test(s)), 'not matching !'); break;
      case 'min': case 'max': out.push(a, (a as number) - 1, (a as number) + 1); break;
      case 'equals': out.push(a); break;
      case 'arrayMaxSize': case 'arrayMinSize': out.push([], ['x'], Array.from({ length: a as number }, (_, i) => STRINGS[i % STRINGS.length]), Array(((a as number) + 1)).fill('y')); break;
      case 'arrayUnique': out.push(['a', 'a'], ['a', 'b']); break;
      case 'isObject': out.push({ k: 'v', n: [1, { deep: null }] }, { constructor: 1 }, { prototype: { x: 1 } }); break;
      case 'isDefined': break;
      default: out.push(...STRINGS);
    }
  }
  const nested = rules.find((r) => r.type === 'nestedValidation');
  const type = nested && (transformerRules.findTypeMetadata(nested.target as Class, nested.propertyName)?.typeFunction() as Class | undefined);
  // A nested body mostly: the others are a wrong type each.
  if (type && depth < 3) {
    out.push([sample(type, next, depth + 1)], [sample(type, next, depth + 1), 'x']);
    for (let i = 0; i < 12; i++) out.push(sample(type, next, depth + 1));
  }
  return out;
}

/** A body for `cls`: each property left out or given one of its candidates; now and then a key it does not have. */
function sample(cls: Class, next: () => number, depth = 0): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, rules] of Object.entries(storage.groupByPropertyName(rulesOf(cls)))) {
    if (next() < 0.15) continue;
    const pool = candidates(rules, next, depth);
    // Mostly the candidates from the rules (after the wrong types), so that valid bodies come up often.
    const index = next() < 0.8 ? WRONG.length + Math.floor(next() * (pool.length - WRONG.length)) : Math.floor(next() * pool.length);
    body[name] = clone(pool[Math.min(index, pool.length - 1)]);
  }
  if (next() < 0.05) body.unexpected = 'x';
  return body;
}

/** The API document's request examples: valid bodies of their operations. */
function examples(): Array<Record<string, unknown>> {
  const { OPERATION_DOCS } = require('../../src/openapi/operation-docs') as { OPERATION_DOCS: Record<string, { requestExample?: unknown }> };
  return Object.values(OPERATION_DOCS).map((d) => d.requestExample)
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && !Array.isArray(e));
}

/** Each example, then each with one field left out or replaced by one of the candidates for `cls`'s rules of that name. */
function mutations(cls: Class, next: () => number): Array<Record<string, unknown>> {
  const grouped = storage.groupByPropertyName(rulesOf(cls));
  const out: Array<Record<string, unknown>> = [];
  for (const example of examples()) {
    out.push(example);
    for (const key of Object.keys(example)) {
      const { [key]: _left, ...rest } = example;
      out.push(rest);
      for (const value of candidates(grouped[key] ?? [], next, 0)) out.push({ ...example, [key]: value });
    }
  }
  return out;
}

describe('BodyPlan: the fast way through the validation pipe', () => {
  rememberValidationRules();
  const nest = new ValidationPipe(pipeOptions());
  const classes = bodyClasses();

  it('finds the body classes', () => {
    expect(classes.length).toBeGreaterThan(20);
    // The classes a plan mirrors: every request body of the API but those with rules it leaves to the pipe.
    expect(classes.filter((cls) => BodyPlan.of(cls)).length).toBeGreaterThan(15);
  });

  it('accepts only what the pipe accepts, and answers the same instance', async () => {
    const next = random(20261205);
    let accepted = 0;
    const acceptedByClass = new Map<string, number>();
    for (const cls of classes) {
      const plan = BodyPlan.of(cls);
      if (!plan) continue;
      for (const body of [...mutations(cls, next), ...Array.from({ length: 600 }, () => sample(cls, next))]) {
        const fast = plan.accept(clone(body));
        if (!fast) continue;
        const piped = await nest.transform(clone(body), { type: 'body', metatype: cls }).then((v: unknown) => ({ v }), (e: unknown) => ({ e }));
        if (!('v' in piped)) throw new Error(`${cls.name}: the plan accepted ${JSON.stringify(body)}, the pipe refused it: ${String(piped.e)}`);
        if (!isDeepStrictEqual(fast, piped.v)) {
          throw new Error(`${cls.name}: for ${JSON.stringify(body)} the plan answered ${JSON.stringify(fast)}, the pipe ${JSON.stringify(piped.v)}`);
        }
        accepted++;
        acceptedByClass.set(cls.name, (acceptedByClass.get(cls.name) ?? 0) + 1);
      }
    }
    // The comparison must have had something to compare, on the busiest body too.
    expect(accepted).toBeGreaterThan(500);
    expect(acceptedByClass.get('CreateConversationDto')).toBeGreaterThan(10);
  });

  it.each([
    ['a chat conversation', { contact: { phone: '+14155550100', name: 'Bench' }, chat: { sessionId: 's-1' }, context: { gps: [51.5, -0.12] } }, true],
    ['an unknown field', { contact: { phone: '+14155550100' }, extra: 1 }, false],
    ['a nested unknown field', { contact: { phone: '+14155550100', extra: 1 } }, false],
    ['null for a nested object', { contact: null }, false],
    ['a constructor key in the context (the pipe strips it)', { contact: { phone: '+14155550100' }, context: { constructor: 1 } }, false],
    ['a context nested 40 deep (left to the pipe)', { contact: { phone: '+14155550100' }, context: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }, false],
    ['a context nested 20 deep', { contact: { phone: '+14155550100' }, context: JSON.parse(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`) }, true],
    ['an array for the body', [], false],
    ['a string for the body', 'x', false],
    ['null for the body', null, false],
    ['a number for the body', 5, false],
  ])('%s: plan accepts = %s', (_name, body, accepts) => {
    const { CreateConversationDto } = require('../../src/conversations/dto/conversation.dto') as { CreateConversationDto: Class };
    const plan = BodyPlan.of(CreateConversationDto)!;
    expect(Boolean(plan.accept(clone(body)))).toBe(accepts);
  });

  // class-transformer's rules, read through its public methods: a plan only where plainToInstance copies the keys.
  class Plain { @IsString() name!: string; }
  @Exclude() class ExcludesAll { @Expose() @IsString() name!: string; }
  class ExposesOne { @IsString() name!: string; @Expose() @IsOptional() @IsString() extra?: string; }
  class ExcludesOne { @IsString() name!: string; @Exclude() hidden?: string; }
  class Trims { @Transform(({ value }: { value: string }) => value.trim()) @IsString() name!: string; }
  class TrimsOnTheWayOut { @Transform(({ value }: { value: string }) => value.trim(), { toPlainOnly: true }) @IsString() name!: string; }
  class Converts { @Type(() => Number) @IsString() name!: string; }
  class InheritsTrim extends Trims { @IsOptional() @IsString() other?: string; }
  it.each([
    ['no class-transformer rule', true, Plain],
    ['a class-level @Exclude', false, ExcludesAll],
    ['an exposed property', false, ExposesOne],
    ['an excluded property', false, ExcludesOne],
    ['a @Transform on a checked property', false, Trims],
    ['a @Transform applied only on the way out', true, TrimsOnTheWayOut],
    ['a @Type on a property that is not nested', false, Converts],
    ['a @Transform inherited from the parent class', false, InheritsTrim],
  ])('%s: a plan = %s, and what it accepts the pipe answers alike', async (_name, planned, cls) => {
    const plan = BodyPlan.of(cls as Class);
    expect(Boolean(plan)).toBe(planned);
    if (!plan) return;
    const body = { name: ' Ada ' };
    const piped = await nest.transform(clone(body), { type: 'body', metatype: cls });
    expect(plan.accept(clone(body))).toEqual(piped);
    expect(Object.getPrototypeOf(plan.accept(clone(body)))).toBe(Object.getPrototypeOf(piped));
  });

  it('the gateway pipe answers what Nest\'s pipe answers, refusals with the same errors', async () => {
    const { CreateConversationDto } = require('../../src/conversations/dto/conversation.dto') as { CreateConversationDto: Class };
    const gateway = validationPipe();
    const next = random(7);
    for (let i = 0; i < 200; i++) {
      const body = sample(CreateConversationDto, next);
      const settle = (pipe: ValidationPipe) => pipe.transform(clone(body), { type: 'body', metatype: CreateConversationDto })
        .then((v: unknown) => ({ v }), (e: { message?: string; errors?: unknown }) => ({ e: e.message, errors: e.errors }));
      expect(await settle(gateway)).toEqual(await settle(nest));
    }
  });
});
