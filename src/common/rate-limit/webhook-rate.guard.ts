import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/config.schema';
import { DomainError } from '../errors/domain-error';
import { RateLimiter } from './rate-limiter';

/** Limits provider webhooks per provider and source address, before any signature work. */
@Injectable()
export class WebhookRateGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(config: AppConfig) {
    this.limiter = new RateLimiter(config.rateLimits.webhookPerSecond, config.rateLimits.webhookBurst);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const provider = request.url.split('/')[2] ?? 'unknown';
    const verdict = this.limiter.take(`${provider}:${request.ip}`);
    if (!verdict.allowed) throw DomainError.rateLimited(verdict.retryAfterSeconds);
    return true;
  }
}
