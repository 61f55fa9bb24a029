import { ConfigError } from '../../config/config.loader';
import type { AppConfig } from '../../config/config.schema';
import { storedCredentialsRefusal } from '../../config/production-guards';
import { derivedSealingKey, parseSealingKey, seal, unseal, UnsealError, type SealingKey } from './sealing';

/** What an envelope belongs to: a row copied to another tenant or provider does not open. */
const aad = (tenantId: string, provider: string): string => `${tenantId}/${provider}`;

/**
 * Seals and opens tenants' provider accounts with CREDENTIALS_KEY, or outside production without
 * one with a key derived from the JWT secret (README "Security"). Production without the key can
 * store none: `seal` refuses, and stored ones stop the start-up (`checkStored`).
 */
export class CredentialsSealer {
  private readonly key: SealingKey | undefined;
  /** Where the key came from, for messages. */
  readonly source: 'CREDENTIALS_KEY' | 'derived from JWT_SECRET' | 'none';

  constructor(private readonly config: AppConfig) {
    const given = config.auth.credentialsKey ? parseSealingKey(config.auth.credentialsKey) : undefined;
    if (config.auth.credentialsKey && !given) throw new ConfigError('Invalid configuration: CREDENTIALS_KEY (auth.credentialsKey) must be 32 bytes as 64 hex characters or base64, e.g. openssl rand -hex 32');
    this.key = given ?? (config.env !== 'production' && config.auth.jwtSecret ? derivedSealingKey(config.auth.jwtSecret) : undefined);
    this.source = given ? 'CREDENTIALS_KEY' : this.key ? 'derived from JWT_SECRET' : 'none';
  }

  get available(): boolean {
    return this.key !== undefined;
  }

  seal(tenantId: string, provider: string, fields: Readonly<Record<string, string>>): string {
    if (!this.key) throw new Error('no CREDENTIALS_KEY');
    return seal(this.key, JSON.stringify(fields), aad(tenantId, provider));
  }

  /** The account's fields, or an UnsealError saying why they cannot be read. */
  open(tenantId: string, provider: string, envelope: string): Record<string, string> {
    if (!this.key) throw new UnsealError('wrong-key');
    return JSON.parse(unseal(this.key, envelope, aad(tenantId, provider))) as Record<string, string>;
  }

  /**
   * At start-up: stored accounts need a key (production guard), and each must open with it. A
   * wrong key or an altered row is a configuration error naming the tenant and provider (exit 78,
   * which the compose restart policy does not retry), never a crash on the first call.
   */
  checkStored(rows: ReadonlyArray<{ tenantId: string; provider: string; sealed: string }>): void {
    const refusal = storedCredentialsRefusal(this.config, rows.length, this.available);
    if (refusal) throw new ConfigError(refusal);
    for (const row of rows) {
      try {
        this.open(row.tenantId, row.provider, row.sealed);
      } catch (error) {
        if (!(error instanceof UnsealError)) throw error;
        throw new ConfigError(`Invalid configuration: the stored ${row.provider} credentials of tenant ${row.tenantId} cannot be opened: ${error.message}. `
          + `Start with the CREDENTIALS_KEY they were stored with (now ${this.source}), or delete them through DELETE /v1/admin/providers/${row.provider}/credentials from an instance that has it.`);
      }
    }
  }
}
