import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/config.schema';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { verifyJambonz } from './jambonz-signature';

const DETAIL = {
  missing: 'the Jambonz-Signature header is missing',
  malformed: 'the Jambonz-Signature header is malformed',
  stale: 'the Jambonz-Signature timestamp is outside the allowed clock skew',
  mismatch: 'the jambonz signature does not match',
} as const;

/** Checks `Jambonz-Signature` over the raw request body with JAMBONZ_WEBHOOK_SECRET. */
@Injectable()
export class JambonzSignatureGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { rawBody?: Buffer }>();
    const secret = this.config.providers.jambonz.webhookSecret;
    if (!secret) throw new DomainError(ErrorCode.Forbidden, 'jambonz is not configured on this gateway');
    const header = request.headers['jambonz-signature'];
    const verdict = verifyJambonz(typeof header === 'string' ? header : undefined, request.rawBody?.toString('utf8') ?? '', secret);
    if (verdict !== 'valid') throw new DomainError(ErrorCode.Forbidden, DETAIL[verdict]);
    return true;
  }
}
