import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from './domain-error';
import { toProblem, type StoreOutageTest } from './problem';

/** Answers every HTTP error as application/problem+json; only unexpected errors are logged as errors. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly isStoreUnavailable: StoreOutageTest,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    sendProblem(error, request, reply, this.logger, this.isStoreUnavailable);
  }
}

export function sendProblem(
  error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger, isStoreUnavailable: StoreOutageTest,
): void {
  const problem = toProblem(error, isStoreUnavailable);
  if (problem.status >= 500) {
    logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
  }
  if (problem.status === 503 || problem.status === 429) {
    const seconds = error instanceof DomainError && error.retryAfterSeconds ? error.retryAfterSeconds : 1;
    void reply.header('retry-after', String(seconds));
  }
  void reply.status(problem.status).type('application/problem+json').send(problem);
}
