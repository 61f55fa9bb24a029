/** A tenant's own account with a provider, opened (tenants/provider-credentials). */
export interface TenantAccount {
  /** The account's fields, laid over the gateway's `providers.<name>` settings. */
  readonly fields: Readonly<Record<string, string>>;
  /** Tells one setting of the account from the next (adapters built on an older one are rebuilt). */
  readonly stamp: string;
}

/** A tenant's account that is stored but could not be opened here (another CREDENTIALS_KEY, an altered row). */
export interface UnreadableAccount {
  readonly unreadable: string;
}

/**
 * What the provider registry and the webhook guards ask of tenants' own accounts (bound to the
 * tenants service in app.module): providers/ never imports the tenants feature.
 */
export abstract class TenantAccounts {
  /** The tenant's own account with the provider; undefined: the tenant uses the gateway's. */
  abstract accountOf(tenantId: string, provider: string): TenantAccount | UnreadableAccount | undefined;
  /** The tenant a number belongs to (inbound webhooks name the number called). */
  abstract ownerOfNumber(number: string): string | undefined;
  /** The tenant whose own account with the provider has `field` = `value` (a webhook's account id). */
  abstract tenantWithAccount(provider: string, field: string, value: string): string | undefined;
  /** Every tenant's own account with the provider that this instance could open. */
  abstract accountsWith(provider: string): TenantAccount[];
}

export function isUnreadable(account: TenantAccount | UnreadableAccount | undefined): account is UnreadableAccount {
  return account !== undefined && 'unreadable' in account;
}

/** What a webhook says of whom it is for: the number called (inbound) and the provider account. */
export interface WebhookParties {
  to?: string;
  accountId?: string;
}

/**
 * The secret a provider's webhook must be signed with (the webhook guards). A number of a tenant
 * (`to`: inbound messages and calls) takes the secret of that tenant's own account, or the
 * gateway's when it has none, and no other: neither account can speak for the other's numbers.
 * Otherwise (reports on what was sent or placed: `to` is the customer) a tenant's account named
 * by `accountId` takes its secret, and anything else the gateway's. A report's URL stays bound to
 * its message or call by our own signature (CallbackUrls).
 */
export function webhookSecret(
  accounts: TenantAccounts | undefined, provider: string, fields: { id: string; secret: string }, parties: WebhookParties, gatewaySecret: string,
): { secret: string } | { refusal: string } {
  const owner = parties.to === undefined ? undefined : accounts?.ownerOfNumber(parties.to);
  const own = owner === undefined ? undefined : accounts!.accountOf(owner, provider);
  if (isUnreadable(own)) return { refusal: own.unreadable };
  if (own?.fields[fields.secret]) return { secret: own.fields[fields.secret]! };
  const named = owner === undefined && parties.accountId ? accounts?.tenantWithAccount(provider, fields.id, parties.accountId) : undefined;
  const account = named === undefined ? undefined : accounts!.accountOf(named, provider);
  if (account && !isUnreadable(account) && account.fields[fields.secret]) return { secret: account.fields[fields.secret]! };
  return gatewaySecret ? { secret: gatewaySecret } : { refusal: `${provider} is not configured on this gateway` };
}
