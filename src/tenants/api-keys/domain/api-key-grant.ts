import type { Role } from '../../../common/auth/principal';

/** The agent id a key without one acts as: `apikey:<id>` (never a JWT's `sub` of a person). */
export const KEY_AGENT_PREFIX = 'apikey:';

export interface KeyGrant {
  roles: readonly Role[];
  /** The agent an `agent`-role key acts as. */
  agentId?: string;
}

/**
 * Why an admin may not create a key with this grant, as [field, reason], or undefined when they
 * may. A key never holds a role its creator lacks. An `agent` key acts as one agent (conversations
 * assigned to them, their topic), so it must name them; a key without `agent` may name one too.
 * An agent id of the form `apikey:…` is the gateway's own name for key callers and refused.
 */
export function grantRefusal(creatorRoles: readonly Role[], grant: KeyGrant): [string, string] | undefined {
  const beyond = grant.roles.filter((role) => !creatorRoles.includes(role));
  if (beyond.length > 0) return ['roles', `may not exceed the creator's roles (${creatorRoles.join(', ')}); ${beyond.join(', ')} is not among them`];
  if (grant.roles.includes('agent') && !grant.agentId) return ['agentId', 'is required for a key with the agent role: the agent the key acts as'];
  if (grant.agentId?.startsWith(KEY_AGENT_PREFIX)) return ['agentId', `may not start with ${KEY_AGENT_PREFIX}`];
  return undefined;
}

/** Who a key's caller is: the agent it names, else the key itself. */
export function keyAgentId(keyId: string, agentId: string | null): string {
  return agentId ?? `${KEY_AGENT_PREFIX}${keyId}`;
}
