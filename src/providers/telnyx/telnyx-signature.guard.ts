import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { CallbackUrls } from '../callbacks/callback-urls';
import { WebhookAuthGuard, type WebhookRequest } from '../webhook-auth.guard';
import { telnyxPublicKey, verifyTelnyx } from './telnyx-signature';

const DETAIL = {
  missing: 'the telnyx-signature-ed25519 or telnyx-timestamp header is missing',
  malformed: 'the Telnyx signature headers are malformed',
  stale: 'the telnyx-timestamp is outside the allowed clock skew',
  mismatch: 'the Telnyx signature does not match',
} as const;

/**
 * Checks Telnyx's Ed25519 signature of `timestamp|raw body` with TELNYX_PUBLIC_KEY, then (in the
 * base guard) our own signature of a callback URL that names a message: Telnyx signs only the
 * body, so without it a signed status of one message could be replayed against another's `mid`.
 */
@Injectable()
export class TelnyxSignatureGuard extends WebhookAuthGuard {
  private readonly key: KeyObject | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig, callbacks: CallbackUrls) {
    super(config, callbacks, 'telnyx');
    const { publicKey } = config.providers.telnyx;
    this.key = publicKey ? telnyxPublicKey(publicKey) : undefined;
  }

  protected refusal(request: WebhookRequest): string | undefined {
    if (!this.key) return 'telnyx is not configured on this gateway';
    const verdict = verifyTelnyx(
      { signature: header(request, 'telnyx-signature-ed25519'), timestamp: header(request, 'telnyx-timestamp') },
      request.rawBody ?? '',
      this.key,
    );
    return verdict === 'valid' ? undefined : DETAIL[verdict];
  }
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
