import { newId } from '../../common/ids';
import type { SmsState } from '../../messaging/domain/sms-state';
import type { OutboundMessage, SendResult, SmsProvider } from '../sms-provider.port';
import type { SmsStatusSink } from '../sms-status';

/** Where the simulator keeps the pictures of simulated MMS (the store, so every instance sees them). */
export type SimulatorMediaSource = (tenantId: string, id: string) => Promise<{ contentType: string; data: Buffer } | undefined>;

/** A simulated picture's URL, as stored on its attachment: `simulator:media/<tenant>/<id>`. */
export function simulatorMediaUrl(tenantId: string, id: string): string {
  return `simulator:media/${tenantId}/${id}`;
}

const MEDIA_URL = /^simulator:media\/([a-z0-9][a-z0-9_-]{0,62})\/([A-Za-z0-9]{1,64})$/;

/**
 * The built-in provider: takes every message, then reports `sent` and `delivered` through the
 * same status path the real providers' callbacks take. Magic destination numbers:
 *   ending in 0001 → undelivered, ending in 0002 → failed.
 */
export class SimulatorSmsProvider implements SmsProvider {
  readonly name = 'simulator';
  private sink?: SmsStatusSink;
  private media?: SimulatorMediaSource;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly stepMs = 50) {}

  /** Where delivery reports go (the messaging service's status path). */
  connect(sink: SmsStatusSink): void {
    this.sink = sink;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const providerRef = `SM${newId()}`;
    const outcome = finalState(message.to);
    const steps: SmsState[] = ['sent', outcome];
    steps.forEach((state, i) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        // A report that cannot be stored (the gateway is stopping) is dropped, as a lost callback would be.
        this.sink?.({ provider: 'simulator', interactionId: message.interactionId, providerRef, state,
          errorCode: state === 'delivered' || state === 'sent' ? null : '30003' }).catch(() => undefined);
      }, this.stepMs * (i + 1));
      timer.unref();
      this.timers.add(timer);
    });
    return { providerRef, state: 'sending' };
  }

  /** The URL a simulated picture is stored and served under (simulatorMediaUrl). */
  mediaUrl(tenantId: string, id: string): string {
    return simulatorMediaUrl(tenantId, id);
  }

  /** Where simulated pictures are read from (the messaging module's store). */
  serveMediaFrom(source: SimulatorMediaSource): void {
    this.media = source;
  }

  /**
   * Serves a simulated picture as a provider's media host would: 200 with its bytes, or 404. Only
   * `simulator:media/…` URLs are the simulator's; anything else is not fetched at all.
   */
  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    const match = MEDIA_URL.exec(url);
    const source = this.media;
    if (!match || !source) return undefined;
    return source(match[1]!, match[2]!).then((found) => {
      if (!found) return new Response(null, { status: 404 });
      const headers = { 'content-type': found.contentType, 'content-length': String(found.data.length) };
      return new Response(method === 'HEAD' ? null : new Uint8Array(found.data), { status: 200, headers });
    });
  }

  /** Stops the reports still to come. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function finalState(to: string): SmsState {
  if (to.endsWith('0001')) return 'undelivered';
  if (to.endsWith('0002')) return 'failed';
  return 'delivered';
}
