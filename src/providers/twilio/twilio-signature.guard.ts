import { Inject, Injectable } from '@nestjs/common';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { CallbackUrls } from '../callbacks/callback-urls';
import { WebhookAuthGuard, type WebhookRequest } from '../webhook-auth.guard';

/**
 * `X-Twilio-Signature`: HMAC-SHA1 over the configured PUBLIC_BASE_URL + path + query and the
 * sorted form parameters, with the auth token. Never built from the Host header (it breaks behind
 * proxies). Runs before anything reads the body.
 */
@Injectable()
export class TwilioSignatureGuard extends WebhookAuthGuard {
  constructor(@Inject(APP_CONFIG) config: AppConfig, callbacks: CallbackUrls) {
    super(config, callbacks, 'twilio');
  }

  protected refusal(request: WebhookRequest): string | undefined {
    const { authToken } = this.config.providers.twilio;
    const signature = request.headers['x-twilio-signature'];
    if (!authToken) return 'twilio is not configured on this gateway';
    if (typeof signature !== 'string' || signature.length === 0) return 'the X-Twilio-Signature header is missing';
    const params = isParams(request.body) ? request.body : {};
    const url = this.config.http.publicBaseUrl.replace(/\/+$/, '') + request.url;
    return validateRequest(authToken, signature, url, params) ? undefined : 'the Twilio signature does not match';
  }
}

function isParams(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
