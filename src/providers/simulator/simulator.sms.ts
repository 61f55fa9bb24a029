import { newId } from '../../common/ids';
import type { SmsState } from '../../messaging/domain/sms-state';
import type { OutboundMessage, SendResult, SmsProvider } from '../sms-provider.port';
import type { SmsStatusSink } from '../sms-status';

/**
 * The built-in provider: takes every message, then reports `sent` and `delivered` through the
 * same status path the real providers' callbacks take. Magic destination numbers:
 *   ending in 0001 → undelivered, ending in 0002 → failed.
 */
export class SimulatorSmsProvider implements SmsProvider {
  readonly name = 'simulator';
  private sink?: SmsStatusSink;
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

  fetchMedia(): undefined {
    return undefined;
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
