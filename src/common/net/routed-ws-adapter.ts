import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Nest's plain-`ws` adapter, with gateway paths that may hold parameters (`/v1/calls/:id/audio`):
 * a `:name` segment matches one path segment. Nest's own adapter compares paths exactly and
 * destroys every other upgrade, so a parameterised gateway could never be reached.
 */
export class RoutedWsAdapter extends WsAdapter {
  constructor(app: INestApplicationContext, options?: ConstructorParameters<typeof WsAdapter>[1]) {
    super(app, options);
  }

  protected override ensureHttpServerExists(port: number, server: http.Server = http.createServer()): http.Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, server);
    server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        const pathname = new URL(request.url ?? '/', 'ws://gateway.invalid/').pathname;
        const wsServer = (this.wsServersRegistry.get(port) ?? []).find((candidate: { path: string }) => pathMatches(candidate.path, pathname));
        if (!wsServer) {
          socket.destroy();
          return;
        }
        wsServer.handleUpgrade(request, socket, head, (ws: unknown) => wsServer.emit('connection', ws, request));
      } catch (error) {
        socket.end(`HTTP/1.1 400 Bad Request\r\n\r\n${(error as Error).message}`);
      }
    });
    return server;
  }

  /**
   * Nest's adapter parses every frame of every socket as JSON to look for a `@SubscribeMessage`
   * handler, through an rxjs pipeline, and throws (and catches) when there is none. The gateway's
   * sockets read their own frames (events.gateway, the media streams) and declare no such handler:
   * without this, each Twilio Media Streams message was parsed twice and cost an exception
   * (`npm run bench:media`). A gateway that declares handlers keeps Nest's binding.
   */
  override bindMessageHandlers(...args: Parameters<WsAdapter['bindMessageHandlers']>): void {
    if (args[1].length === 0) return;
    super.bindMessageHandlers(...args);
  }
}

/** Whether `pathname` fits `template`, whose `:name` segments match any one non-empty segment. */
export function pathMatches(template: string, pathname: string): boolean {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return false;
  return want.every((segment, i) => (segment.startsWith(':') ? got[i]!.length > 0 : segment === got[i]));
}
