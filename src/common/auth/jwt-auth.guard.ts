import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { TenantsService } from '../../tenants/tenants.service';
import { AppConfig } from '../../config/config.schema';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { IS_PUBLIC } from './auth.decorators';
import { JwtService } from './jwt.service';
import type { Principal } from './principal';
import { declaredRoles, roleRefusal } from './roles.decorator';

/**
 * Every route needs a valid bearer token of a known tenant unless marked @Public(), and a token
 * holding one of the roles the route declares with @Roles() (none declared: nobody may call it).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly tenants: TenantsService,
    config: AppConfig,
  ) {
    this.limiter = new RateLimiter(config.rateLimits.apiPerSecond, config.rateLimits.apiBurst);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    request.principal = await this.authenticate(token);
    // Per token: its signature part tells tokens apart without keeping the whole token around.
    const verdict = this.limiter.take(token!.slice(token!.lastIndexOf('.') + 1));
    if (!verdict.allowed) throw DomainError.rateLimited(verdict.retryAfterSeconds);
    const refusal = roleRefusal(request.principal, declaredRoles(context.getHandler(), context.getClass()));
    if (refusal) throw new DomainError(ErrorCode.Forbidden, refusal);
    return true;
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'a bearer token is required');
    const principal = await this.jwt.verify(token);
    if (!this.tenants.find(principal.tenantId)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the token names an unknown tenant');
    }
    return principal;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
