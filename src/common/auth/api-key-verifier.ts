import type { Principal } from './principal';

/**
 * What the auth guard needs of API keys: the caller a key stands for, or a 401 DomainError.
 * ApiKeysService answers it; app.module.ts passes it in, so common/ imports no feature.
 */
export interface ApiKeyVerifier {
  verify(token: string): Promise<Principal>;
  /** Whether the key is still there (not revoked): long-lived sockets opened with it ask again. */
  isLive(keyId: string): Promise<boolean>;
}

/** A bearer token of the API key form (`gk_…`); anything else is read as a JWT. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('gk_');
}
