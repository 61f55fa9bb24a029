import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '../errors/domain-error';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { IS_PUBLIC } from './auth.decorators';
import { looksLikeApiKey, type ApiKeyVerifier } from './api-key-verifier';
import type { JwtService } from './jwt.service';
import type { Principal } from './principal';
import { declaredRoles, roleRefusal } from './roles.decorator';
import type { TenantLookup } from './tenant-lookup';

/**
 * Every route needs a valid bearer token of a known tenant unless marked @Public(), and a token
 * holding one of the roles the route declares with @Roles() (none declared: nobody may call it).
 * The token is a JWT or a tenant's API key (`gk_…`, checked against the store by `apiKeys`); both
 * are accepted wherever either is (REST, the events and audio sockets' `access_token`).
 * Built by app.module.ts, which passes in the tenants and the per-token rate limiter from config.
 */
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly tenants: TenantLookup,
    private readonly limiter: RateLimiter,
    private readonly apiKeys?: ApiKeyVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    request.principal = await this.authenticate(token);
    const verdict = this.limiter.take(rateKey(token!, request.principal));
    if (!verdict.allowed) throw DomainError.rateLimited(verdict.retryAfterSeconds);
    const refusal = roleRefusal(request.principal, declaredRoles(context.getHandler(), context.getClass()));
    if (refusal) throw new DomainError(ErrorCode.Forbidden, refusal);
    return true;
  }

  /**
   * Whether a caller authenticated earlier may go on (a socket opened with an API key asks on each
   * heartbeat): a key may have been revoked since; a JWT's expiry is the socket's own to watch.
   */
  async keyIsLive(principal: Principal): Promise<boolean> {
    return !principal.apiKeyId || !this.apiKeys || this.apiKeys.isLive(principal.apiKeyId);
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'a bearer token is required');
    const principal = this.apiKeys && looksLikeApiKey(token) ? await this.apiKeys.verify(token) : await this.jwt.verify(token);
    if (!this.tenants.find(principal.tenantId)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the token names an unknown tenant');
    }
    return principal;
  }
}

/**
 * What tells one caller's tokens apart for the rate limit without keeping the token around: a
 * key's id, a JWT's signature part.
 */
export function rateKey(token: string, principal: Pick<Principal, 'apiKeyId'>): string {
  return principal.apiKeyId ? `key:${principal.apiKeyId}` : token.slice(token.lastIndexOf('.') + 1);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
