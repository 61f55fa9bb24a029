import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/config.schema';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import type { CallbackUrls, CallbackVerdict } from './callbacks/callback-urls';

export type WebhookRequest = FastifyRequest & { rawBody?: Buffer };

const URL_DETAIL: Record<Exclude<CallbackVerdict, 'valid' | 'unbound'>, string> = {
  missing: 'the callback URL is not signed by this gateway',
  mismatch: 'the callback URL signature does not match',
};

/**
 * What every provider webhook must prove before its body is read: the provider's own signature
 * (`refusal`, per provider) and, when the URL selects one of our records, our signature of that
 * URL (CallbackUrls).
 *
 * Only refused requests count against RATE_LIMIT_WEBHOOK_PER_SECOND (per provider and source
 * address): a provider that signed a burst of inbound messages is never answered 429, because
 * Twilio does not retry an inbound SMS and each such answer would lose a customer's message.
 */
export abstract class WebhookAuthGuard implements CanActivate {
  private readonly refused: RateLimiter;

  protected constructor(protected readonly config: AppConfig, private readonly callbacks: CallbackUrls, private readonly provider: string) {
    this.refused = new RateLimiter(config.rateLimits.webhookPerSecond, config.rateLimits.webhookBurst);
  }

  /** Why the provider's signature does not hold, or undefined when it does. */
  protected abstract refusal(request: WebhookRequest): string | undefined;

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const detail = this.refusal(request) ?? this.urlRefusal(request);
    if (detail === undefined) return true;
    const verdict = this.refused.take(`${this.provider}:${request.ip}`);
    if (!verdict.allowed) throw DomainError.rateLimited(verdict.retryAfterSeconds);
    throw new DomainError(ErrorCode.Forbidden, detail);
  }

  private urlRefusal(request: WebhookRequest): string | undefined {
    const path = request.url.split('?', 1)[0]!;
    const verdict = this.callbacks.verify(path, (request.query ?? {}) as Record<string, unknown>);
    return verdict === 'valid' || verdict === 'unbound' ? undefined : URL_DETAIL[verdict];
  }
}
