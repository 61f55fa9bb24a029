import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { MediaRedirectRefused } from '../providers/media-fetch';
import { ProviderRegistry } from '../providers/provider.registry';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { attachmentHeaders } from './domain/media-type';

/**
 * `GET /v1/attachments/:id`: streams a customer's picture to an agent of the same tenant. Only
 * the stored URL is fetched, only as the provider's media policy allows (its own media resources
 * with its credentials, its CDN or carriers' media hosts without), redirects included; it is
 * served under a safe type with nosniff and a sandboxing CSP, never under the sender's claim.
 */
@Controller('v1/attachments')
@Roles('agent', 'supervisor', 'admin')
export class AttachmentsController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: ProviderRegistry,
  ) {}

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const repo = this.uow.direct.messages;
    const attachment = await repo.findAttachment(principal.tenantId, id);
    if (!attachment) throw DomainError.notFound('attachment');
    const fetching = this.providers.smsByName(attachment.provider, principal.tenantId)?.fetchMedia(attachment.url, 'GET');
    if (!fetching) throw new DomainError(ErrorCode.NotFound, 'the attachment is not on a media host of its provider');
    const upstream = await fetching.catch((error: unknown) => {
      if (error instanceof MediaRedirectRefused) throw new DomainError(ErrorCode.BadGateway, `the provider's media answer was refused: ${error.message}`);
      return undefined;
    });
    if (!upstream?.ok || !upstream.body) throw new DomainError(ErrorCode.Unavailable, 'the provider did not deliver the attachment; retry later');
    // Only a plain number is passed on: the upstream's headers are not ours to echo.
    const length = /^\d{1,15}$/.test(upstream.headers.get('content-length') ?? '') ? upstream.headers.get('content-length')! : undefined;
    if (length && attachment.size === null) await repo.setAttachmentSize(principal.tenantId, id, Number(length));
    void reply.headers(attachmentHeaders(attachment.id, attachment.contentType));
    if (length) void reply.header('content-length', length);
    await reply.send(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream));
  }
}
