import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
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

/** The global pipe: unknown fields are refused, types are converted, errors name their field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const list = fieldErrors(errors);
      const detail = list.map((e) => `${e.field} ${e.message}`).join('; ') || 'the request is invalid';
      return new DomainError(ErrorCode.ValidationFailed, detail, list);
    },
  });
}
