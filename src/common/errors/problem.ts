import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, type FieldError } from './domain-error';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TYPE_BASE = 'https://contact-gateway.dev/problems/';

/**
 * True when an error means the store could not be reached (a 503, not a 500). Only storage/ knows
 * its drivers' error codes, so the composition root passes `isStoreUnavailable` from there.
 */
export type StoreOutageTest = (error: unknown) => boolean;

/** Turns anything thrown while serving a request into a problem document; unknown errors are 500s. */
export function toProblem(error: unknown, isStoreUnavailable: StoreOutageTest): Problem {
  if (error instanceof DomainError) {
    return problem(error.status, error.detail, error.code, error.errors);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : messageOf(response) ?? error.message;
    return problem(status, detail);
  }
  // Errors raised by Fastify before a route runs (body parsing, size, media type) carry a 4xx statusCode.
  const fastify = error as { statusCode?: number; code?: string; message?: string } | null;
  if (fastify && typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return problem(fastify.statusCode, fastifyDetail(fastify.code, fastify.message));
  }
  if (isStoreUnavailable(error)) {
    return problem(503, 'the store is unavailable; retry shortly', 'store-unavailable');
  }
  return problem(500, 'an unexpected error occurred; it has been logged');
}

function problem(status: number, detail: string, code?: string, errors?: FieldError[]): Problem {
  const title = HttpStatus[status] ? titleCase(HttpStatus[status]) : 'Error';
  const doc: Problem = { type: TYPE_BASE + (code ?? String(status)), title, status, detail };
  if (errors && errors.length > 0) doc.errors = errors;
  return doc;
}

function fastifyDetail(code: string | undefined, message: string | undefined): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return 'the request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return 'the content type is not supported; send application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'the JSON body is empty';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return 'the content length does not match the body';
    default:
      if (message && /JSON|Unexpected token|Unexpected end/i.test(message)) return 'the body is not valid JSON';
      return message ?? 'the request is malformed';
  }
}

function messageOf(response: object): string | undefined {
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return undefined;
}

function titleCase(constant: string): string {
  return constant.toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}
