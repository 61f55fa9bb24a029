import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake } from './http-fake';

/**
 * A media host that is not the provider's API: a CDN serving signed URLs, a carrier's media
 * server, or an attacker's host. Serves what was put under a path, can answer a redirect, and
 * records every request with the Authorization header it carried.
 */
export class FakeMediaHost extends HttpFake {
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined }> = [];
  private readonly files = new Map<string, { type: string; bytes: Buffer }>();
  private readonly redirects = new Map<string, string>();

  /** Serves `bytes` at `path` (with its query, if any) and returns the full URL. */
  put(path: string, type: string, bytes: Buffer): string {
    this.files.set(path, { type, bytes });
    return this.url + path;
  }

  /** Answers `path` with a 302 to `location`; returns the full URL. */
  redirect(path: string, location: string): string {
    this.redirects.set(path, location);
    return this.url + path;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    const location = this.redirects.get(path);
    if (location) {
      res.writeHead(302, { location }).end();
      return;
    }
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  }
}
