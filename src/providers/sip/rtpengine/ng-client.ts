import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { ngMessage, ngReply, type BDecoded, type BValue } from './domain/bencode';

/** rtpengine refused a command (`result: error`) or never answered it. */
export class NgError extends Error {}

export type NgReplyBody = { [key: string]: BDecoded };

/** `udp://host:port` (RTPENGINE_URL): where rtpengine's NG control socket listens. */
export function parseNgUrl(url: string): { host: string; port: number } {
  const m = /^udp:\/\/([^/:[\]]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(url.trim());
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new Error(`RTPENGINE_URL must be udp://host:port (got "${url}")`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

interface Pending { resolve: (body: NgReplyBody) => void; reject: (err: Error) => void; timer: NodeJS.Timeout; resend: NodeJS.Timeout }

/**
 * rtpengine's NG control protocol over UDP: each command is `<cookie> <bencoded dictionary>` and
 * its reply carries the same cookie. A lost datagram is sent again with the same cookie (rtpengine
 * keeps its replies by cookie, so a repeated offer is answered, not applied twice).
 */
export class NgClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  /** Connected to rtpengine, so the system picks (and tells us) the local address that reaches it. */
  private readonly connected: Promise<void>;

  constructor(private readonly target: { host: string; port: number }, private readonly options: { timeoutMs?: number; resendMs?: number } = {}) {
    const ipv6 = isIP(target.host) === 6;
    this.socket = createSocket(ipv6 ? 'udp6' : 'udp4');
    this.socket.on('message', (datagram) => this.onReply(datagram));
    this.socket.on('error', () => undefined); // a send error rejects its command through the timeout
    this.connected = new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject); // the host does not resolve
      this.socket.connect(target.port, target.host, () => { this.socket.off('error', reject); resolve(); });
    });
    this.connected.catch(() => undefined);
    this.socket.unref();
  }

  /**
   * The address of this host that rtpengine's host routes back to: where the gateway's RTP
   * receivers listen, and what the subscriptions' answers name.
   */
  async localAddress(): Promise<string> {
    await this.connected;
    return this.socket.address().address;
  }

  /** Sends one command (`{ command: 'offer', … }`); resolves with the reply, rejects on `result: error` or silence. */
  command(body: { command: string } & { [key: string]: BValue | undefined }): Promise<NgReplyBody> {
    if (this.closed) return Promise.reject(new NgError('the rtpengine client is closed'));
    const cookie = randomBytes(8).toString('hex');
    const datagram = ngMessage(cookie, body);
    const { timeoutMs = 3000, resendMs = 500 } = this.options;
    return new Promise<NgReplyBody>((resolve, reject) => {
      const send = (): void => void this.connected.then(() => this.socket.send(datagram)).catch(() => undefined);
      const entry: Pending = {
        resolve, reject,
        timer: setTimeout(() => this.settle(cookie, new NgError(`rtpengine at ${this.target.host}:${this.target.port} did not answer "${body.command}" in ${timeoutMs} ms`)), timeoutMs),
        resend: setInterval(send, resendMs),
      };
      this.pending.set(cookie, entry);
      send();
    });
  }

  close(): void {
    this.closed = true;
    for (const cookie of [...this.pending.keys()]) this.settle(cookie, new NgError('the rtpengine client is closed'));
    this.socket.close();
  }

  private onReply(datagram: Buffer): void {
    let reply: ReturnType<typeof ngReply>;
    try {
      reply = ngReply(datagram);
    } catch {
      return; // not an NG reply: ignored
    }
    const { result } = reply.body;
    if (result === 'error') return this.settle(reply.cookie, new NgError(`rtpengine: ${String(reply.body['error-reason'] ?? 'error')}`));
    this.settle(reply.cookie, undefined, reply.body);
  }

  private settle(cookie: string, error?: Error, body?: NgReplyBody): void {
    const entry = this.pending.get(cookie);
    if (!entry) return;
    this.pending.delete(cookie);
    clearTimeout(entry.timer);
    clearInterval(entry.resend);
    if (error) entry.reject(error); else entry.resolve(body!);
  }
}
