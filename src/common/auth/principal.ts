export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: taken from a verified JWT or API key. */
export interface Principal {
  agentId: string;
  tenantId: string;
  roles: Role[];
  /** The token's `pii: true` claim: a supervisor or admin may see personal data in clear. */
  pii: boolean;
  /** When the token expires (ms since the epoch): a live events socket is closed then. */
  expiresAt?: number;
  /** Set when the caller used an API key (src/tenants/api-keys): its id. */
  apiKeyId?: string;
}
