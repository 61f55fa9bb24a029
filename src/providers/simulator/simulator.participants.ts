import type { LegFact, ParticipantMode, ParticipantRole } from '../../calls/participants/domain/participant';
import type { LegChange, ParticipantControl, ParticipantDial, ParticipantReportSink } from '../voice-participants.port';
import { VoiceProviderError, type CallHandle } from '../voice-provider.port';

/** A leg of a simulated bridge: what its party hears and says. */
export interface SimulatedLeg {
  role: ParticipantRole;
  mode: ParticipantMode;
  hold: boolean;
  /** The ref of the agent a whisper goes to. */
  coach: string | null;
}

/**
 * The simulator's parties beyond the call's two: a dialled party rings one step after the dial
 * and answers one step later, like a desk phone picked up at once. Magic endpoints, as for
 * customers: a number ending 0486 or a `busy` user is busy; 0480 or `no-answer` rings, then gives
 * up after four steps; 0500 or `fails` fails. Each call's bridge is kept (`bridges`) so a test or
 * the console can see who hears whom.
 */
export class SimulatorParticipants implements ParticipantControl {
  private sink?: ParticipantReportSink;
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  /** call id → leg ref → leg, while the call lasts. */
  readonly bridges = new Map<string, Map<string, SimulatedLeg>>();

  constructor(private readonly stepMs: number) {}

  connect(sink: ParticipantReportSink): void {
    this.sink = sink;
  }

  async dial(call: CallHandle, party: ParticipantDial): Promise<void> {
    const to = party.to.toLowerCase();
    const script: Array<[number, LegFact]> = to.endsWith('0486') || to.includes('busy') ? [[1, { kind: 'ended', reason: 'busy' }]]
      : to.endsWith('0480') || to.includes('no-answer') ? [[1, { kind: 'ringing' }], [5, { kind: 'ended', reason: 'no-answer' }]]
        : to.endsWith('0500') || to.includes('fails') ? [[1, { kind: 'ended', reason: 'failed' }]]
          : [[1, { kind: 'ringing' }], [2, { kind: 'answered' }]];
    this.bridge(call.callId).set(party.participantId, { role: party.role, mode: party.mode, hold: false, coach: party.coach ?? null });
    this.timers.set(party.participantId, script.map(([steps, fact]) => {
      const timer = setTimeout(() => {
        if (fact.kind === 'ended') this.bridge(call.callId).delete(party.participantId);
        this.sink?.({ provider: 'simulator', callId: call.callId, participantId: party.participantId, fact }).catch(() => undefined);
      }, this.stepMs * steps);
      timer.unref();
      return timer;
    }));
  }

  async update(call: CallHandle, ref: string, role: ParticipantRole, change: LegChange): Promise<void> {
    const leg = this.leg(call, ref, role);
    if (change.hold !== undefined) leg.hold = change.hold;
    if (change.mode !== undefined) {
      leg.mode = change.mode;
      leg.coach = change.mode === 'whisper' ? change.coach ?? null : null;
    }
  }

  async remove(call: CallHandle, ref: string, role: ParticipantRole): Promise<void> {
    this.leg(call, ref, role);
    for (const timer of this.timers.get(ref) ?? []) clearTimeout(timer);
    this.timers.delete(ref);
    this.bridge(call.callId).delete(ref);
  }

  /** The call is over: its parties' legs go with it. */
  end(callId: string): void {
    for (const ref of this.bridges.get(callId)?.keys() ?? []) {
      for (const timer of this.timers.get(ref) ?? []) clearTimeout(timer);
      this.timers.delete(ref);
    }
    this.bridges.delete(callId);
  }

  close(): void {
    for (const timers of this.timers.values()) for (const timer of timers) clearTimeout(timer);
    this.timers.clear();
    this.bridges.clear();
  }

  private bridge(callId: string): Map<string, SimulatedLeg> {
    let bridge = this.bridges.get(callId);
    if (!bridge) {
      // The call's own two legs are in every bridge from the start.
      bridge = new Map([['customer', { role: 'customer', mode: 'talk', hold: false, coach: null }], ['agent', { role: 'agent', mode: 'talk', hold: false, coach: null }]]);
      this.bridges.set(callId, bridge);
    }
    return bridge;
  }

  private leg(call: CallHandle, ref: string, role: ParticipantRole): SimulatedLeg {
    const leg = this.bridge(call.callId).get(ref);
    if (!leg) throw new VoiceProviderError(`the simulator has no ${role} leg ${ref} on this call`);
    return leg;
  }
}
