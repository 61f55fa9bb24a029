import { TenantAccounts, webhookSecret, type TenantAccount, type UnreadableAccount, type WebhookParties } from './tenant-accounts.port';

/** acme has its own account (AC-acme), globex uses the gateway's, initech's cannot be opened here. */
class Accounts extends TenantAccounts {
  private readonly numbers: Record<string, string> = { '+1001': 'acme', '+1002': 'globex', '+1003': 'initech' };
  private readonly own: Record<string, TenantAccount | UnreadableAccount> = {
    acme: { fields: { accountSid: 'AC-acme', authToken: 'acme-token' }, stamp: '1' },
    initech: { unreadable: 'the tenant\'s twilio credentials cannot be opened on this instance' },
  };
  accountOf(tenantId: string) { return this.own[tenantId]; }
  ownerOfNumber(number: string) { return this.numbers[number]; }
  accountsWith() { return Object.values(this.own).filter((a): a is TenantAccount => 'fields' in a); }
  tenantWithAccount(_provider: string, field: string, value: string) {
    return Object.entries(this.own).find(([, a]) => 'fields' in a && a.fields[field] === value)?.[0];
  }
}

describe('webhookSecret: whose secret signs a provider webhook', () => {
  const accounts = new Accounts();
  const fields = { id: 'accountSid', secret: 'authToken' };
  it.each<[string, WebhookParties, string, ReturnType<typeof webhookSecret>]>([
    ['an inbound to a tenant with its own account', { to: '+1001', accountId: 'AC-gateway' }, 'gw-token', { secret: 'acme-token' }],
    ['an inbound to a tenant without one', { to: '+1002', accountId: 'AC-gateway' }, 'gw-token', { secret: 'gw-token' }],
    ['an inbound to a tenant without one, claiming another tenant’s account', { to: '+1002', accountId: 'AC-acme' }, 'gw-token', { secret: 'gw-token' }],
    ['a report of a tenant’s account (to the customer)', { to: '+4479', accountId: 'AC-acme' }, 'gw-token', { secret: 'acme-token' }],
    ['a report of the gateway’s account', { to: '+4479', accountId: 'AC-gateway' }, 'gw-token', { secret: 'gw-token' }],
    ['nothing said', {}, 'gw-token', { secret: 'gw-token' }],
    ['a tenant whose account cannot be opened', { to: '+1003' }, 'gw-token', { refusal: 'the tenant\'s twilio credentials cannot be opened on this instance' }],
    ['no gateway account and none named', { to: '+1002' }, '', { refusal: 'twilio is not configured on this gateway' }],
    ['no gateway account, a tenant’s own', { to: '+1001' }, '', { secret: 'acme-token' }],
  ])('%s', (_name, parties, gateway, expected) => {
    expect(webhookSecret(accounts, 'twilio', fields, parties, gateway)).toEqual(expected);
  });

  it('uses the gateway’s secret when no tenant has accounts (no lookup bound)', () => {
    expect(webhookSecret(undefined, 'twilio', fields, { to: '+1001', accountId: 'AC-acme' }, 'gw-token')).toEqual({ secret: 'gw-token' });
  });
});
