import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Public } from '../common/auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { pageContentSecurityPolicy } from '../common/http/security-headers';
import { HiddenFromDocs } from '../openapi/api-doc.decorator';

const PUBLIC_DIR = join(__dirname, '..', '..', 'public');

/** The files the console may serve, and their types: nothing else is read from disk. */
const FILES: Readonly<Record<string, { path: string; built?: string; type: string }>> = {
  'index.html': { path: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  'app.js': { path: join(PUBLIC_DIR, 'app.js'), type: 'application/javascript; charset=utf-8' },
  'app.css': { path: join(PUBLIC_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  // The gateway's own segment counter, as compiled (CommonJS; the page gives it an `exports`).
  'segments.js': {
    path: join(__dirname, '..', 'messaging', 'domain', 'segments.js'),
    built: join(__dirname, '..', '..', 'dist', 'messaging', 'domain', 'segments.js'),
    type: 'application/javascript; charset=utf-8',
  },
};

/** The agent console: static files at the root, no token needed to load them (the API needs one). */
@Controller()
@Public()
export class ConsoleController {
  @Get()
  index(@Res() reply: FastifyReply): Promise<void> {
    return this.serve('index.html', reply);
  }

  /** The page's script and stylesheet: an implementation detail of the console, not part of the API. */
  @Get(':file')
  @HiddenFromDocs()
  file(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(file, reply);
  }

  private async serve(name: string, reply: FastifyReply): Promise<void> {
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file) throw DomainError.notFound(`file ${name}`);
    // Run from the TypeScript sources (tests), the compiled segment counter is in dist/.
    const content = await readFile(file.path).catch(() => (file.built ? readFile(file.built).catch(() => undefined) : undefined));
    if (!content) throw DomainError.notFound(`file ${name} (the console is served from a build: npm run build)`);
    if (name === 'index.html') void reply.header('content-security-policy', consolePolicy(content.toString('utf8')));
    await reply.header('content-type', file.type).header('cache-control', 'no-cache').send(content);
  }
}

/**
 * The page's policy, allowing its own inline scripts (read from the page, so an edit keeps working)
 * and recordings played from the blob: URLs it makes of files fetched with the token.
 */
function consolePolicy(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  return pageContentSecurityPolicy({ scripts, blobMedia: true });
}
