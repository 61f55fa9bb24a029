import { ValidationPipe, type ArgumentMetadata, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { getMetadataStorage, ValidateIf } from 'class-validator';
import { plans } from './body-plans';
import { DomainError, ErrorCode, type FieldError } from './domain-error';

/**
 * A body field that may be left out. Unlike `@IsOptional()`, `null` is not taken for "left out":
 * it is checked like any other value (and refused by the type check), so no service ever sees a
 * null where the API document promises a string. The OpenAPI builder reads both as optional.
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Flattens class-validator errors into `{ field: "contact.phone", message }` entries. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    // A missing field fails every check of its type; "is required" says what is actually wrong.
    const messages = error.value === undefined && error.constraints && !error.constraints.whitelistValidation
      ? ['is required'] : Object.values(error.constraints ?? {});
    const own = messages.map((message) => ({ field, message: stripField(message, error.property) }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

function stripField(message: string, property: string): string {
  if (message === `property ${property} should not exist`) return 'is not an allowed field';
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/**
 * Nest's pipe, with a fast way for a JSON body it would accept (body-plans.ts): the same instance,
 * without class-validator's error tree, class-transformer's general walk or the pipe's own walks.
 * Anything the plan is not sure of goes through the pipe as before.
 */
class GatewayValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      const accepted = plans.get(metadata.metatype as new () => object)?.accept(value);
      if (accepted) return accepted;
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe: unknown fields are refused, types are converted, errors name their field. */
export function validationPipe(): ValidationPipe {
  rememberValidationRules();
  return new GatewayValidationPipe(pipeOptions());
}

/** Nest's pipe as the gateway configures it (tests compare the fast way with it). */
export function pipeOptions(): ValidationPipeOptions {
  return {
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const list = fieldErrors(errors);
      const detail = list.map((e) => `${e.field} ${e.message}`).join('; ') || 'the request is invalid';
      return new DomainError(ErrorCode.ValidationFailed, detail, list);
    },
  };
}

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;
const remembered = Symbol('remembered validation rules');

/**
 * class-validator finds the rules of the object it validates by going through every registered
 * class (an `instanceof` test each, for inherited rules) and grouping them by property, on every
 * validation of every nested object: with the gateway's DTOs that was 4–5% of
 * `POST /v1/conversations`' CPU. A class's rules are fixed once its module is loaded, so both
 * answers are kept per class and options, and all are dropped when any rule is registered (a class
 * loaded later, a test's own).
 */
export function rememberValidationRules(storage: Storage = getMetadataStorage()): void {
  const marked = storage as Storage & { [remembered]?: true };
  if (marked[remembered]) return;
  marked[remembered] = true;
  let byTarget = new Map<unknown, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, ReturnType<Storage['groupByPropertyName']>>();
  const find = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const options = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let forTarget = byTarget.get(target);
    if (!forTarget) byTarget.set(target, (forTarget = new Map()));
    let rules = forTarget.get(options);
    if (!rules) forTarget.set(options, (rules = find(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.groupByPropertyName = (rules) => {
    let byProperty = grouped.get(rules);
    if (!byProperty) grouped.set(rules, (byProperty = group(rules)));
    return byProperty;
  };
  storage.addValidationMetadata = (metadata) => {
    byTarget = new Map();
    grouped = new WeakMap();
    plans.forget();
    add(metadata);
  };
}
