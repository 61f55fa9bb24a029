/**
 * The number a call shows when it fails over to the next provider (pure). A provider can present
 * only numbers it carries: Twilio refuses a caller ID that is neither its own nor verified, and a
 * trunk shows or drops one it does not own. The tenant says which provider owns each number
 * (admin API, `PUT /v1/admin/tenants/{id}/numbers/{number}`); where it has not said, the gateway
 * cannot know better and keeps the number.
 */

export interface NumberOwnership {
  /** The tenant's numbers, in its order. */
  numbers: readonly string[];
  /** Which provider owns each number, where the tenant said (absent: not said). */
  owners?: ReadonlyMap<string, string>;
  /** The next provider's stand-in sender for a tenant with no numbers (the simulator's), if any. */
  standIn?: string;
}

export type FailoverNumber = { number: string } | { skip: string };

/**
 * For `provider`, after the call was to show `current`: the same number when `provider` owns it
 * or nobody is said to; else the tenant's first number `provider` owns; else the provider is
 * skipped, with the reason recorded on the call's attempts.
 */
export function failoverNumber(provider: string, current: string, tenant: NumberOwnership): FailoverNumber {
  if (tenant.numbers.length === 0) {
    return tenant.standIn ? { number: tenant.standIn } : { skip: `the tenant has no number ${provider} could call from` };
  }
  const owner = tenant.owners?.get(current);
  if (owner === undefined || owner === provider) return { number: current };
  const owned = tenant.numbers.find((number) => tenant.owners?.get(number) === provider);
  if (owned) return { number: owned };
  return { skip: `the caller ID belongs to ${owner} and none of the tenant's numbers belongs to ${provider}` };
}
