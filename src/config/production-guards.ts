import type { AppConfig } from './config.schema';

/**
 * Secrets printed in this repository's own docs (docker/README.md): a production gateway signing
 * tokens with one would accept a token from anyone who has read them.
 */
export const SAMPLE_SECRETS: readonly string[] = ['change-me-to-at-least-32-characters-long'];

/** Hosts no provider can call back: the public URL must be the address the internet reaches. */
const LOCAL_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/i;

/**
 * What stops a production start-up that would run but not work or not be safe, as the message of
 * a configuration error (exit 78), or undefined. Development keeps its localhost defaults.
 */
export function productionRefusal(config: AppConfig): string | undefined {
  if (config.env !== 'production') return undefined;
  if (SAMPLE_SECRETS.includes(config.auth.jwtSecret)) {
    return 'Invalid configuration: JWT_SECRET (auth.jwtSecret) is the sample from the documentation; generate one, e.g. openssl rand -hex 32';
  }
  const { hostname } = new URL(config.http.publicBaseUrl);
  if (LOCAL_HOST.test(hostname)) {
    return `Invalid configuration: PUBLIC_BASE_URL (http.publicBaseUrl) is ${config.http.publicBaseUrl}: providers cannot call back a local address; set the URL they reach the gateway at`;
  }
  return undefined;
}

/**
 * Tenants' provider credentials are sealed with CREDENTIALS_KEY: a production gateway finding some
 * in the store without a key could use none of them, so it does not start (exit 78). Checked once
 * the store is open (tenants/provider-credentials/credentials-sealer.ts).
 */
export function storedCredentialsRefusal(config: Pick<AppConfig, 'env'>, stored: number, keyAvailable: boolean): string | undefined {
  if (stored === 0 || keyAvailable) return undefined;
  return `Invalid configuration: the store holds ${stored} tenant provider credential(s), sealed with a key, but CREDENTIALS_KEY (auth.credentialsKey) is not set`
    + (config.env === 'production' ? ' (production never derives one); set the key they were stored with' : '');
}
