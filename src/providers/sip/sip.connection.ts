import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { VoiceProviderError } from '../voice-provider.port';
import type { InboundInvite, InboundResponse } from './sip-inbound';
import { disconnect, type SrfClient } from './srf.types';

/** Where the gateway's drachtio app connects, and how it retries. */
export interface DrachtioTarget {
  /** drachtio-server's control socket (`providers.drachtio`). */
  host: string;
  port: number;
  secret: string;
  /** Reconnect backoff after a lost or refused connection: doubles from `initialDelayMs` up to `maxDelayMs`. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

/** What the SIP voice provider does with the connection's INVITEs and its loss (sip.voice.ts). */
export interface DrachtioHost {
  /** An INVITE drachtio-server hands this app: a call from the trunk (sip-inbound.ts). */
  onInvite(req: InboundInvite, res: InboundResponse): void;
  /** The connection was up and went: the calls it carried are over. */
  onLost(): void;
}

/**
 * The socket to drachtio-server. Connects on construction and keeps reconnecting with backoff
 * until `stop()`; `require()` fails while not connected.
 */
export class DrachtioConnection {
  private srf?: SrfClient;
  private connected = false;
  private closed = false;
  private lastError?: string;
  private attempt = 0;
  private retry?: NodeJS.Timeout;

  constructor(private readonly target: DrachtioTarget, private readonly logger: Logger, private readonly host: DrachtioHost) {
    this.open();
  }

  require(): SrfClient {
    if (this.srf && this.connected) return this.srf;
    const why = this.lastError ? `: ${this.lastError}` : '';
    // Nothing was sent: a call being placed may go to the tenant's next provider.
    throw new VoiceProviderError(`not connected to drachtio-server at ${this.target.host}:${this.target.port}${why}`, false, { retryable: true });
  }

  /** Stops reconnecting; the connection stays up until `disconnect()`, so calls can still be ended over it. */
  stop(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }

  async disconnect(): Promise<void> {
    const srf = this.srf;
    if (srf && this.connected) {
      const gone = new Promise((resolve) => { srf.once('close', resolve); setTimeout(resolve, 2000).unref(); });
      disconnect(srf);
      await gone;
    }
    this.connected = false;
  }

  private open(): void {
    const srf = new Srf() as unknown as SrfClient;
    this.srf = srf;
    srf.invite((req, res) => this.host.onInvite(req, res));
    srf.on('connect', (err: Error | null, hostport?: string) => {
      if (err) {
        this.lastError = err.message;
        this.logger.error({ err: err.message }, 'drachtio-server refused the connection');
        return disconnect(srf); // 'close' follows: try again later, the server's secret may be fixed
      }
      if (this.closed) return disconnect(srf);
      this.connected = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.logger.info({ hostport }, 'connected to drachtio-server');
    });
    srf.on('error', (err: Error) => void (this.lastError = err.message)); // 'close' follows and schedules the retry
    srf.on('close', () => this.onClose(srf));
    // srf's own reconnect runs forever and cannot be stopped while disconnected: we reconnect ourselves.
    srf.connect({ host: this.target.host, port: this.target.port, secret: this.target.secret, reconnect: { maxAttempts: 1 } });
  }

  private onClose(srf: SrfClient): void {
    if (srf !== this.srf) return;
    const wasConnected = this.connected;
    this.connected = false;
    srf.removeAllListeners();
    srf.on('error', () => undefined); // a late socket error must not become an uncaught exception
    if (wasConnected) this.host.onLost();
    if (this.closed) return;
    const { initialDelayMs = 500, maxDelayMs = 30_000 } = this.target.reconnect ?? {};
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.open(), delay);
    this.retry.unref();
  }
}
