import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, ErrorCode, type FieldError } from './domain-error';

/** Flattens class-validator errors into `{ field: "contact.phone", message }` entries. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: stripField(message, error.property) }));
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
