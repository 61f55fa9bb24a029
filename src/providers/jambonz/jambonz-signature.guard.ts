import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { CallbackUrls } from '../callbacks/callback-urls';
import { WebhookAuthGuard, type WebhookRequest } from '../webhook-auth.guard';
import { verifyJambonz } from './jambonz-signature';

const DETAIL = {
  missing: 'the Jambonz-Signature header is missing',
  malformed: 'the Jambonz-Signature header is malformed',
  stale: 'the Jambonz-Signature timestamp is outside the allowed clock skew',
  mismatch: 'the jambonz signature does not match',
} as const;

/** Checks `Jambonz-Signature` over the raw request body with JAMBONZ_WEBHOOK_SECRET. */
@Injectable()
export class JambonzSignatureGuard extends WebhookAuthGuard {
  constructor(@Inject(APP_CONFIG) config: AppConfig, callbacks: CallbackUrls) {
    super(config, callbacks, 'jambonz');
  }

  protected refusal(request: WebhookRequest): string | undefined {
    const secret = this.config.providers.jambonz.webhookSecret;
    if (!secret) return 'jambonz is not configured on this gateway';
    const header = request.headers['jambonz-signature'];
    const verdict = verifyJambonz(typeof header === 'string' ? header : undefined, request.rawBody?.toString('utf8') ?? '', secret);
    return verdict === 'valid' ? undefined : DETAIL[verdict];
  }
}
