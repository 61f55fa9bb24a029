import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { AppConfig } from '../../config/config.schema';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';

/**
 * `X-Twilio-Signature`: HMAC-SHA1 over the configured PUBLIC_BASE_URL + path + query and the
 * sorted form parameters, with the auth token. Never built from the Host header (it breaks behind
 * proxies). Runs before anything reads the body.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { authToken } = this.config.providers.twilio;
    const signature = request.headers['x-twilio-signature'];
    if (!authToken) throw new DomainError(ErrorCode.Forbidden, 'twilio is not configured on this gateway');
    if (typeof signature !== 'string' || signature.length === 0) {
      throw new DomainError(ErrorCode.Forbidden, 'the X-Twilio-Signature header is missing');
    }
    const params = isParams(request.body) ? request.body : {};
    const url = this.config.http.publicBaseUrl.replace(/\/+$/, '') + request.url;
    if (!validateRequest(authToken, signature, url, params)) {
      throw new DomainError(ErrorCode.Forbidden, 'the Twilio signature does not match');
    }
    return true;
  }
}

function isParams(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
