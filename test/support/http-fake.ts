import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A provider API stand-in: an HTTP server on 127.0.0.1, port 0, that its subclass answers. */
export abstract class HttpFake {
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // a client's keep-alive connection must not hold the fake open
    });
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk: Buffer) => { data += chunk.toString(); });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
