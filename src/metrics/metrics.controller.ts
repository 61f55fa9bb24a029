import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/config.schema';
import { Public } from '../common/auth/auth.decorators';
import { bearerToken } from '../common/auth/jwt-auth.guard';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { MetricsService } from './metrics.service';

@Controller('metrics')
@Public()
export class MetricsController {
  constructor(private readonly metrics: MetricsService, private readonly config: AppConfig) {}

  /**
   * Prometheus text; when METRICS_TOKEN is set, only with that bearer token. An empty token is
   * allowed only with METRICS_PUBLIC=true (default.yaml; production.yaml refuses it at start-up).
   */
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const expected = this.config.metrics.token;
    if (expected && !sameSecret(bearerToken(authorization) ?? '', expected)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the metrics token is missing or wrong');
    }
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

/** Constant time whatever the lengths: digests of equal size are compared, never the raw strings. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
