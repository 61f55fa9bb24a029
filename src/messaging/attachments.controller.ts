import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { ProviderRegistry } from '../providers/provider.registry';
import type { DatabaseHandle } from '../storage/database';
import { DATABASE } from '../storage/storage.module';
import { MessagesRepository } from './messages.repository';

/**
 * `GET /v1/attachments/:id`: streams a customer's picture to an agent of the same tenant. Only
 * the stored URL is fetched, only from the provider's own media hosts, with its credentials.
 */
@Controller('v1/attachments')
export class AttachmentsController {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly providers: ProviderRegistry,
  ) {}

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const repo = new MessagesRepository(this.database.db);
    const attachment = await repo.findAttachment(principal.tenantId, id);
    if (!attachment) throw DomainError.notFound('attachment');
    const fetching = this.providers.smsByName(attachment.provider)?.fetchMedia(attachment.url, 'GET');
    if (!fetching) throw new DomainError(ErrorCode.NotFound, 'the attachment is not on a media host of its provider');
    const upstream = await fetching.catch(() => undefined);
    if (!upstream?.ok || !upstream.body) throw new DomainError(ErrorCode.Unavailable, 'the provider did not deliver the attachment; retry later');
    const length = upstream.headers.get('content-length');
    if (length && attachment.size === null) await repo.setAttachmentSize(principal.tenantId, id, Number(length));
    void reply.header('content-type', attachment.contentType).header('cache-control', 'private, max-age=300');
    if (length) void reply.header('content-length', length);
    await reply.send(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream));
  }
}
