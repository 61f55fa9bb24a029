import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors, applyDecorators } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { maskingRan } from '../common/masking/masking.interceptor';
import { IdempotencyService } from './idempotency.service';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal: Principal }>();
    const reply = http.getResponse<FastifyReply>();
    // The cache must keep the answer in clear, each replay masked for its caller: masking goes outside.
    if (!maskingRan(request)) {
      throw new Error('MaskingInterceptor must run before IdempotencyInterceptor: declare @Roles() on the controller, or below @Idempotent()');
    }
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0]! : header;
    if (!KEY_PATTERN.test(key)) {
      throw DomainError.invalidField('Idempotency-Key', 'must be 1 to 200 visible ASCII characters');
    }
    return from(this.run(request, reply, key, next));
  }

  private async run(request: FastifyRequest & { principal: Principal }, reply: FastifyReply, key: string, next: CallHandler): Promise<unknown> {
    const caller = request.principal;
    const hash = IdempotencyService.hash(request.method, request.url, request.body);
    const replay = await this.idempotency.begin(caller, key, hash);
    if (replay) {
      void reply.status(replay.statusCode).header('idempotent-replayed', 'true');
      return replay.body;
    }
    try {
      const body = await lastValueFrom(next.handle());
      await this.idempotency.complete(caller, key, { statusCode: reply.statusCode, body });
      return body;
    } catch (error) {
      await this.idempotency.release(caller, key);
      throw error;
    }
  }
}

/**
 * Marks a creating POST as honouring `Idempotency-Key`. The route's masking (from @Roles()) must
 * wrap it, which the interceptor checks on every request: @Roles() on the controller, or written
 * below @Idempotent() (decorators apply bottom-up, and the first interceptor listed is the outer one).
 */
export const Idempotent = (): MethodDecorator => applyDecorators(UseInterceptors(IdempotencyInterceptor));
