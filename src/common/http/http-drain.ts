import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long a connection accepted without a request yet is waited for: a request sent with the
 * connection arrives right behind the handshake, while a browser's speculative pre-connection may
 * never send one (it is closed with the other idle connections).
 */
const UNREAD_GRACE_MS = 250;

/**
 * Stops the HTTP server without dropping work it has taken in.
 *
 * Closing the listening socket at once resets every connection the kernel has completed but Node
 * has not yet accepted, and `server.close()` destroys connections whose request has not been read
 * yet — under load, most of what is in flight. And a keep-alive connection whose request was
 * running when shutdown began stays open after its answer, holding `close()` until the grace
 * period kills the process. So draining:
 *   1. from now on, every answer says `Connection: close`, so each connection ends after its answer;
 *   2. waits until the connections the kernel still held are accepted and every accepted one has
 *      had its request read (see start());
 *   3. then the caller closes the application: the listener (new connections are refused), idle
 *      connections, the WebSockets; requests being served finish with their normal answer.
 */
export class HttpDrain {
  private draining = false;
  /** Connections that have not yet sent a request, with the time they were accepted. */
  private readonly unread = new Map<Socket, number>();
  /** Connections accepted so far. */
  private accepted = 0;

  constructor(server: Server, fastify: FastifyInstance) {
    server.on('connection', (socket: Socket) => {
      this.accepted += 1;
      this.unread.set(socket, Date.now());
      socket.once('close', () => this.unread.delete(socket));
    });
    const read = (request: IncomingMessage): void => { this.unread.delete(request.socket); };
    server.on('request', read);
    server.on('upgrade', read);
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (this.draining) void reply.header('connection', 'close');
      return payload;
    });
  }

  /**
   * Steps 1 and 2: resolves once no connection is being accepted any more and every accepted one
   * has sent its request or had UNREAD_GRACE_MS to do so; at the latest after `maxWaitMs` (while
   * a balancer keeps sending new connections, they are served until then).
   */
  async start(maxWaitMs: number): Promise<void> {
    this.draining = true;
    const deadline = Date.now() + maxWaitMs;
    let accepted = this.accepted;
    for (;;) {
      // A full turn of the event loop (an immediate queued from an immediate runs after the next
      // poll): the kernel's queue of completed connections is accepted, and requests already sent
      // on accepted connections are read.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = Date.now();
      const accepting = this.accepted !== accepted;
      accepted = this.accepted;
      const awaited = [...this.unread.values()].some((since) => now - since < UNREAD_GRACE_MS);
      if ((!accepting && !awaited) || now >= deadline) return;
      if (!accepting) await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
  }
}
