import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { CallbackUrls } from '../callbacks/callback-urls';
import { TenantAccounts, webhookSecret } from '../tenant-accounts.port';
import { WebhookAuthGuard, type WebhookRequest } from '../webhook-auth.guard';
import { verifyJambonz } from './jambonz-signature';

const DETAIL = {
  missing: 'the Jambonz-Signature header is missing',
  malformed: 'the Jambonz-Signature header is malformed',
  stale: 'the Jambonz-Signature timestamp is outside the allowed clock skew',
  mismatch: 'the jambonz signature does not match',
} as const;

/**
 * Checks `Jambonz-Signature` over the raw request body with the webhook secret of the account the
 * request is for: a tenant's own jambonz account (by the number called, `to`, or its
 * `account_sid`), else JAMBONZ_WEBHOOK_SECRET (tenant-accounts.port.ts, webhookSecret).
 */
@Injectable()
export class JambonzSignatureGuard extends WebhookAuthGuard {
  constructor(@Inject(APP_CONFIG) config: AppConfig, callbacks: CallbackUrls, @Optional() private readonly accounts?: TenantAccounts) {
    super(config, callbacks, 'jambonz');
  }

  protected refusal(request: WebhookRequest): string | undefined {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const to = Array.isArray(body.to) ? body.to[0] : body.to;
    const parties = { ...(typeof to === 'string' ? { to } : {}), ...accountOf(body) };
    const chosen = webhookSecret(this.accounts, 'jambonz', { id: 'accountSid', secret: 'webhookSecret' }, parties, this.config.providers.jambonz.webhookSecret);
    if ('refusal' in chosen) return chosen.refusal;
    const { secret } = chosen;
    const header = request.headers['jambonz-signature'];
    const verdict = verifyJambonz(typeof header === 'string' ? header : undefined, request.rawBody?.toString('utf8') ?? '', secret);
    return verdict === 'valid' ? undefined : DETAIL[verdict];
  }
}

/** The account a hook names: `account_sid` on call hooks, `accountSid` on messaging hooks. */
function accountOf(body: Record<string, unknown>): { accountId?: string } {
  const id = typeof body.account_sid === 'string' ? body.account_sid : body.accountSid;
  return typeof id === 'string' ? { accountId: id } : {};
}
