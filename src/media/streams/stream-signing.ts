import { createHash, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';

/** PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): Node takes private keys in this form. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** How long a stream's token is accepted: it proves the connection, made as soon as it is signed. */
export const STREAM_TOKEN_TTL_SECONDS = 300;

export interface StreamClaims {
  streamId: string;
  callId: string;
  conversationId: string;
  tenantId: string;
  /** The receiver's URL, as the request named it: the token is good for that receiver only. */
  url: string;
}

/**
 * Signs the tokens that pushed audio streams present to their receivers (`POST /v1/calls/:id/streams`).
 *
 * Ed25519 rather than an HMAC: a receiver verifies with the public key (`GET /v1/streams/keys`,
 * a JWKS) and so needs no secret of ours, and one tenant's receiver cannot mint tokens for
 * another's. The key is derived from the JWT secret with HKDF, so every instance signs with the
 * same key without one more secret to distribute; changing JWT_SECRET rotates it.
 */
export class StreamSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly issuer: string, secret: string) {
    if (!secret) throw new Error('stream tokens need a secret');
    const seed = Buffer.from(hkdfSync('sha256', secret, 'contact-gateway', 'audio-stream-signing/v1', 32));
    this.privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
    const raw = this.publicKey.export({ format: 'der', type: 'spki' });
    this.keyId = createHash('sha256').update(raw).digest('base64url').slice(0, 16);
  }

  /** A JWT (EdDSA) whose audience is the receiver's URL and subject the call. */
  sign(claims: StreamClaims, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ streamId: claims.streamId, conversationId: claims.conversationId, tenantId: claims.tenantId })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keyId, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(claims.url)
      .setSubject(claims.callId)
      .setJti(claims.streamId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + STREAM_TOKEN_TTL_SECONDS)
      .sign(this.privateKey);
  }

  /** The public key as a JWK Set, for receivers. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, kid: this.keyId, alg: 'EdDSA', use: 'sig' }] };
  }
}
