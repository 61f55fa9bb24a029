import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One TCP connection speaking HTTP/1.1 by hand, for what fetch hides: a reset, `Connection: close`,
 * a body sent in pieces, a keep-alive connection left idle. Answers are read by Content-Length (or
 * up to the close when there is none).
 */
export class RawConnection {
  /** Resolves when the peer has closed the connection: 'closed', or the error it ended with (e.g. ECONNRESET). */
  readonly ended: Promise<'closed' | string>;
  private buffer = Buffer.alloc(0);
  private waiting: Array<{ resolve: (a: RawAnswer) => void; reject: (e: Error) => void }> = [];
  private error: string | undefined;
  private done = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
    this.ended = new Promise((resolve) => {
      socket.on('error', (e: NodeJS.ErrnoException) => { this.error ??= e.code ?? e.message; });
      socket.on('close', () => {
        this.done = true;
        this.deliver();
        for (const w of this.waiting.splice(0)) w.reject(new Error(`connection ended (${this.error ?? 'closed'}) before an answer`));
        resolve(this.error ?? 'closed');
      });
    });
  }

  /** Connects; resolves once the TCP handshake is complete. */
  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      socket.once('error', reject);
      socket.once('connect', () => { socket.off('error', reject); resolve(new RawConnection(socket)); });
    });
  }

  write(data: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** The next complete answer on this connection. */
  next(): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.deliver();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private deliver(): void {
    while (this.waiting.length > 0) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
      const available = this.buffer.length - end - 4;
      if (length === undefined ? !this.done : available < length) return;
      const bodyEnd = end + 4 + (length ?? available);
      const answer = { status: Number(statusLine!.split(' ')[1]), headers, body: this.buffer.subarray(end + 4, bodyEnd).toString('utf8') };
      this.buffer = this.buffer.subarray(bodyEnd);
      this.waiting.shift()!.resolve(answer);
    }
  }
}

/** A request as it goes on the wire. */
export function rawRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string): string {
  const all: Record<string, string> = { host: 'gateway.test', ...headers };
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body));
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body ?? ''}`;
}
