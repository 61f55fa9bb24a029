import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

// class-transformer's rules (`@Type`, `@Transform`, ...): the store its decorators fill, which its
// package exports only as a type. Read through its public methods (those plainToInstance uses).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

type Storage = ReturnType<typeof getMetadataStorage>;
type Rule = ReturnType<Storage['getTargetValidationMetadatas']>[number];
type Constraint = ReturnType<Storage['getTargetValidatorConstraints']>[number];
type Class = new () => object;

interface Property {
  name: string;
  /** ValidateIf / IsOptional: the property is checked only when all of them say so. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  /** IsDefined, checked even where a condition says not to check the rest (as class-validator does). */
  defined: Check[];
  checks: Check[];
  /** ValidateNested: the plan of the class class-transformer builds the value as (its `@Type`). */
  nested?: BodyPlan;
}

interface Check {
  rule: Rule;
  constraints: Constraint[];
}

/**
 * A JSON body's fast way through the validation pipe: the DTO class's class-validator rules and
 * class-transformer types read once, then applied to each body without building an error tree.
 * It only ever says "valid" for a body the pipe itself accepts (`accept` answers the instance the
 * pipe would answer); for anything else — a rule it cannot mirror, a body it would refuse, a value
 * that is not plain JSON — it answers undefined and the pipe runs as before, so error messages are
 * the pipe's. Measured on `POST /v1/conversations`: class-validator, class-transformer and the
 * pipe's own walks were 14% of the route's CPU.
 */
export class BodyPlan {
  private constructor(private readonly cls: Class, private readonly properties: Map<string, Property>) {}

  /** The plan for `cls`, or undefined when one of its rules is not one the plan mirrors. */
  static of(cls: Class, storage: Storage = getMetadataStorage(), seen = new Map<Class, BodyPlan | undefined>()): BodyPlan | undefined {
    if (seen.has(cls)) return seen.get(cls);
    seen.set(cls, undefined); // a class nesting itself is left to the pipe
    // The arguments class-validator's executor passes for a top-level object (and `nested` below).
    const rules = storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined);
    if (rules.length === 0) return undefined;
    const byProperty = storage.groupByPropertyName(rules);
    // @Transform, @Expose, @Exclude, or a @Type not mirrored below: class-transformer would change the value; the pipe decides.
    if (transforms(cls, Object.keys(byProperty))) return undefined;
    const properties = new Map<string, Property>();
    for (const [name, own] of Object.entries(byProperty)) {
      const property: Property = { name, conditions: [], defined: [], checks: [] };
      for (const rule of own) {
        if (typeof rule.target !== 'function' || rule.always || rule.groups?.length) return undefined;
        if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION) property.conditions.push(rule.constraints[0]);
        else if (rule.type === ValidationTypes.IS_DEFINED || rule.type === ValidationTypes.CUSTOM_VALIDATION) {
          const constraints = storage.getTargetValidatorConstraints(rule.constraintCls);
          if (constraints.some((c) => c.async)) return undefined;
          (rule.type === ValidationTypes.IS_DEFINED ? property.defined : property.checks).push({ rule, constraints });
        } else if (rule.type === ValidationTypes.NESTED_VALIDATION) {
          const type = defaultMetadataStorage.findTypeMetadata(cls, name);
          const nested = type && !type.options?.discriminator ? BodyPlan.of(type.typeFunction() as Class, storage, seen) : undefined;
          if (!nested || property.nested) return undefined;
          property.nested = nested;
        } else if (rule.type !== ValidationTypes.WHITELIST) {
          return undefined;
        }
      }
      // Only a nested property's @Type is mirrored: any other would convert its value.
      if (!property.nested && defaultMetadataStorage.findTypeMetadata(cls, name)) return undefined;
      properties.set(name, property);
    }
    const plan = new BodyPlan(cls, properties);
    seen.set(cls, plan);
    return plan;
  }

  /** The instance the pipe would answer for `body`, when the plan is sure it accepts it; else undefined. */
  accept(body: unknown): object | undefined {
    // Only an object: the pipe refuses a primitive or an array for a class with rules, with its own message.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const instance = this.build(body, 0);
    return instance !== REFUSED && this.valid(instance) ? instance : undefined;
  }

  /**
   * class-transformer's plainToInstance of a plain JSON object (at `depth` in the body); REFUSED
   * for a key the pipe refuses or strips, or anything that is not plain JSON.
   */
  private build(body: object, depth: number): object | typeof REFUSED {
    if (depth > MAX_DEPTH || Object.getPrototypeOf(body) !== Object.prototype) return REFUSED;
    const instance = new this.cls() as Record<string, unknown>;
    for (const key of Object.keys(body)) {
      const property = this.properties.get(key);
      if (!property || STRIPPED.has(key)) return REFUSED; // not allowed, or stripped by the pipe first
      const value = (body as Record<string, unknown>)[key];
      const built = property.nested ? property.nested.buildNested(value, depth + 1) : copyPlain(value, depth + 1);
      if (built === REFUSED) return REFUSED;
      instance[key] = built;
    }
    return instance;
  }

  /** A nested property's value: an instance of the class, or an array of them, at any depth. */
  private buildNested(value: unknown, depth: number): unknown {
    if (!Array.isArray(value)) return typeof value === 'object' && value !== null ? this.build(value, depth) : copyPlain(value, depth);
    if (depth > MAX_DEPTH) return REFUSED;
    const items: unknown[] = [];
    for (const item of value) {
      const built = this.buildNested(item, depth + 1);
      if (built === REFUSED) return REFUSED;
      items.push(built);
    }
    return items;
  }

  /** class-validator's executor on the built instance, asking only whether there is any error. */
  private valid(instance: object): boolean {
    const values = instance as Record<string, unknown>;
    for (const property of this.properties.values()) {
      const value = values[property.name];
      if (!applies(property.conditions, instance, value)) continue;
      if (!passes(instance, value, property.defined) || !passes(instance, value, property.checks)) return false;
      if (property.nested && value !== undefined && !property.nested.validNested(value)) return false;
    }
    return true;
  }

  /** class-validator's nested validation: an object is validated as its class, an array item by item; anything else fails. */
  private validNested(value: unknown): boolean {
    if (Array.isArray(value)) return value.every((item) => item === undefined || this.validNested(item));
    return typeof value === 'object' && value !== null && this.valid(value);
  }
}

const REFUSED = Symbol('refused');
/** Deeper than this, a body is left to the pipe (plain JSON's depth is checked while it is copied). */
const MAX_DEPTH = 32;
/** Keys the pipe strips from any object before transforming it (prototype pollution). */
const STRIPPED = new Set(['__proto__', 'constructor', 'prototype']);

/** The plans, by class, once read; a class none can mirror maps to undefined. */
class Plans {
  private readonly byClass = new Map<Class, BodyPlan | undefined>();

  get(cls: Class): BodyPlan | undefined {
    if (!this.byClass.has(cls)) this.byClass.set(cls, BodyPlan.of(cls));
    return this.byClass.get(cls);
  }

  /** A rule registered later (a class loaded late, a test's own) may change any plan. */
  forget(): void {
    this.byClass.clear();
  }
}

export const plans = new Plans();

/** Whether a property's rules apply to this value: every ValidateIf / IsOptional condition says so. */
function applies(conditions: Property['conditions'], object: object, value: unknown): boolean {
  for (const condition of conditions) if (!condition(object, value)) return false;
  return true;
}

/** class-validator's custom validations of one property: true when none fails (a promise is not this plan's to decide). */
function passes(object: object, value: unknown, checks: Check[]): boolean {
  for (const { rule, constraints } of checks) {
    if (rule.validateIf && !rule.validateIf(object, value)) continue;
    const args: ValidationArguments = {
      targetName: object.constructor.name, property: rule.propertyName, object, value, constraints: rule.constraints,
    };
    const each = rule.each && Array.isArray(value);
    for (const constraint of constraints) {
      if (!each) {
        if (!settled(constraint.instance.validate(value, args))) return false;
        continue;
      }
      for (const item of value as unknown[]) if (!settled(constraint.instance.validate(item, args))) return false;
    }
  }
  return true;
}

/** A validator's answer that passes: truthy, and not a promise. */
const settled = (result: unknown): boolean => Boolean(result) && typeof (result as { then?: unknown }).then !== 'function';

/**
 * A deep copy, as class-transformer makes of a value without a type, of what JSON.parse makes;
 * REFUSED for anything else, a key the pipe strips, or a value deeper than MAX_DEPTH.
 */
function copyPlain(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : REFUSED;
  if (typeof value !== 'object' || depth > MAX_DEPTH) return REFUSED;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const copied = copyPlain(item, depth + 1);
      if (copied === REFUSED) return REFUSED;
      items.push(copied);
    }
    return items;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return REFUSED;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = STRIPPED.has(key) ? REFUSED : copyPlain((value as Record<string, unknown>)[key], depth + 1);
    if (copied === REFUSED) return REFUSED;
    copy[key] = copied;
  }
  return copy;
}

/**
 * Whether class-transformer's plainToInstance would make of a body of `cls` anything but a copy of
 * its keys: a class-level strategy, an exposed or excluded property (it adds or drops keys), or a
 * @Transform on one of the properties the plan checks (the only keys a body it accepts may have;
 * plainToInstance transforms only the keys a body has, and the exposed ones).
 */
function transforms(cls: Class, checked: string[]): boolean {
  const storage = defaultMetadataStorage;
  return storage.getStrategy(cls) !== 'none'
    || storage.getExposedMetadatas(cls).length > 0
    || storage.getExcludedMetadatas(cls).length > 0
    || checked.some((name) => storage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length > 0);
}
