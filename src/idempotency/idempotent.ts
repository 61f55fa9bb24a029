import { RouteConfig } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { IdempotencyService } from './idempotency.service';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * Marks a creating POST as honouring `Idempotency-Key` (the OpenAPI document then lists the header
 * and its 422). Its handler runs its work through `answerOnce`, which refuses a route without the
 * mark. A route option rather than a Nest interceptor: a route with no interceptor skips Nest's
 * interceptor chain, measured at a third of `POST /v1/conversations`' CPU per request with
 * masking's (common/masking/masked-answers.ts).
 */
export const Idempotent = (): MethodDecorator => RouteConfig({ idempotent: true });

/** Whether a handler was declared @Idempotent(). */
export function isIdempotent(handler: object): boolean {
  return (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as { idempotent?: boolean } | undefined)?.idempotent === true;
}

/**
 * Runs a creating request's work once per caller and key: a request with a key used before gets
 * the first answer (its status, `Idempotent-Replayed: true`) and runs nothing; a failed one frees
 * the key for a retry. Without the header it just runs. The stored answer is the one in clear:
 * masking applies to each answer as it is sent, the replay included.
 */
export async function answerOnce<T>(idempotency: IdempotencyService, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  const request = reply.request as FastifyRequest & { principal: Principal };
  if ((request.routeOptions.config as { idempotent?: boolean }).idempotent !== true) {
    throw new Error(`${request.method} ${request.routeOptions.url ?? request.url} answers once per Idempotency-Key but is not declared @Idempotent()`);
  }
  const header = request.headers['idempotency-key'];
  if (header === undefined) return work();
  const key = Array.isArray(header) ? header[0]! : header;
  if (!KEY_PATTERN.test(key)) {
    throw DomainError.invalidField('Idempotency-Key', 'must be 1 to 200 visible ASCII characters');
  }
  const caller = request.principal;
  const replay = await idempotency.begin(caller, key, IdempotencyService.hash(request.method, request.url, request.body));
  if (replay) {
    void reply.status(replay.statusCode).header('idempotent-replayed', 'true');
    return replay.body as T; // the first answer, as JSON
  }
  try {
    const body = await work();
    await idempotency.complete(caller, key, { statusCode: reply.statusCode, body });
    return body;
  } catch (error) {
    await idempotency.release(caller, key);
    throw error;
  }
}
