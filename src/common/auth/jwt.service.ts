import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { remember } from '../bounded-map';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { ROLES, type Principal, type Role } from './principal';

/** How many verified tokens are remembered (desktops reuse one token for hours); the oldest go first. */
export const VERIFIED_TOKENS_KEPT = 10_000;
/** Longer tokens are verified every time rather than held in memory. */
const LONGEST_KEPT_TOKEN = 4096;

/** Verifies and signs HS256 tokens with one secret. */
export class JwtService {
  private readonly key: Uint8Array;
  /**
   * Tokens that passed `verify`, by their exact text, until they expire: a desktop sends the same
   * token with every request, and checking its HMAC and claims again measured ~30 µs of CPU per
   * request. The text includes the signature, so only a token this secret signed can be found here.
   */
  private readonly verified = new Map<string, Principal>();

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) {
      // jose refuses a token from the second of its `exp` on; the same limit, in milliseconds.
      if (Date.now() < known.expiresAt!) return { ...known, roles: [...known.roles] };
      this.verified.delete(token);
    }
    const principal = await this.check(token);
    if (token.length <= LONGEST_KEPT_TOKEN) remember(this.verified, token, principal, VERIFIED_TOKENS_KEPT);
    return { ...principal, roles: [...principal.roles] };
  }

  private async check(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }));
    } catch (error) {
      const detail = error instanceof joseErrors.JWTExpired ? 'the token has expired' : 'the token is invalid';
      throw new DomainError(ErrorCode.Unauthenticated, detail);
    }
    const { sub, tenant, roles, pii } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the token has no valid sub claim');
    }
    if (typeof tenant !== 'string' || tenant.length === 0) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the token has no tenant claim');
    }
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
      throw new DomainError(ErrorCode.Unauthenticated, "the token's roles claim must be a list of role names");
    }
    // Roles this gateway does not know (an identity provider's roles for other apps) grant nothing;
    // a token left with none is still the caller's, and each route answers it 403 naming its roles.
    const known = ROLES.filter((role) => roles.includes(role));
    // jose has checked that `exp` (required above) is a number in the future.
    const expiresAt = (payload.exp as number) * 1000;
    return { agentId: sub, tenantId: tenant, roles: known as Role[], pii: pii === true, expiresAt };
  }

  async sign(principal: Omit<Principal, 'pii'> & { pii?: boolean }, ttlSeconds: number): Promise<string> {
    return new SignJWT({ tenant: principal.tenantId, roles: principal.roles, ...(principal.pii ? { pii: true } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.agentId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }
}

/** The development secret, created once and kept in a file so printed tokens survive restarts. */
export function developmentSecret(file: string): string {
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
