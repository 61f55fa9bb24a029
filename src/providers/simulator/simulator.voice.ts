import { newId } from '../../common/ids';
import type { CallFact } from '../../calls/domain/call-state';
import type { CallHandle, CallReportSink, CallRequest, VoiceProvider } from '../voice-provider.port';

/**
 * The built-in voice provider: the customer's phone "rings" and "answers" like a real one, and
 * its progress enters through the same report path as the real providers' callbacks. Magic
 * customer numbers: ending in 0486 → busy, 0480 → rings, then no answer, 0500 → fails.
 */
export class SimulatorVoiceProvider implements VoiceProvider {
  readonly name = 'simulator';
  private sink?: CallReportSink;
  private readonly timers = new Map<string, NodeJS.Timeout[]>();

  constructor(private readonly stepMs = 100) {}

  connect(sink: CallReportSink): void {
    this.sink = sink;
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const providerRef = `SIM-${newId()}`;
    const script: CallFact[] = request.to.endsWith('0486') ? [{ kind: 'ended', reason: 'busy' }]
      : request.to.endsWith('0480') ? [{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]
        : request.to.endsWith('0500') ? [{ kind: 'ended', reason: 'failed' }]
          : [{ kind: 'ringing' }, { kind: 'answered' }];
    this.timers.set(providerRef, script.map((fact, i) => {
      const timer = setTimeout(() => {
        this.sink?.({ provider: 'simulator', callId: request.callId, providerRef, fact }).catch(() => undefined);
      }, this.stepMs * (i + 1));
      timer.unref();
      return timer;
    }));
    return { callId: request.callId, providerRef, refs: {} };
  }

  async hangup(call: CallHandle): Promise<void> {
    for (const timer of this.timers.get(call.providerRef) ?? []) clearTimeout(timer);
    this.timers.delete(call.providerRef);
  }

  async hold(): Promise<void> {}
  async resume(): Promise<void> {}
  async mute(): Promise<void> {}
  async unmute(): Promise<void> {}
  async sendDtmf(): Promise<void> {}
  async transfer(): Promise<void> {}
  async check(): Promise<void> {}

  async close(): Promise<void> {
    for (const timers of this.timers.values()) for (const timer of timers) clearTimeout(timer);
    this.timers.clear();
  }
}
