import { Controller, Get, Header } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Public } from '../common/auth/auth.decorators';
import { AppConfig } from '../config/config.schema';
import { buildAsyncApiDocument } from './asyncapi.builder';
import { buildOpenApiDocument } from './openapi.builder';
import { DOCS_CONTENT_SECURITY_POLICY, renderDocsPage } from './docs-page';

/**
 * The OpenAPI document of this gateway, generated from its own controllers and DTOs, and the
 * AsyncAPI document of its live events socket, generated from the event catalogue.
 */
@Controller()
@Public()
export class OpenApiController {
  private document: Record<string, unknown> | undefined;
  private readonly asyncApiDocument = buildAsyncApiDocument();
  private html: string | undefined;

  constructor(private readonly modules: ModulesContainer, private readonly config: AppConfig) {}

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  openApi(): Record<string, unknown> {
    return this.spec();
  }

  @Get('asyncapi.json')
  @Header('cache-control', 'no-cache')
  asyncApi(): Record<string, unknown> {
    return this.asyncApiDocument;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_CONTENT_SECURITY_POLICY)
  docs(): string {
    return (this.html ??= renderDocsPage(this.spec(), this.asyncApiDocument));
  }

  /** Built on first use (every controller is registered by then) and kept. */
  private spec(): Record<string, unknown> {
    return (this.document ??= buildOpenApiDocument(this.modules, { heartbeatMs: this.config.events.heartbeatMs }));
  }
}
