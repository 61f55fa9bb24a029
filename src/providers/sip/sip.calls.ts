import type { Logger } from 'pino';
import type { CallFact, EndReason } from '../../calls/domain/call-state';
import { VoiceProviderError, type CallHandle, type CallReport, type CallReportSink } from '../voice-provider.port';
import type { NgClient } from './rtpengine/ng-client';
import { releaseConsultee } from './sip.consult';
import { followDialog } from './sip.reinvite';
import type { Trunk } from './sip.trunk';
import { messageOf, type SipCall, type SrfClient, type SrfDialog } from './srf.types';

/** What placing a call (sip.click-to-call.ts) or connecting an inbound one (sip.connect-agent.ts) needs of the provider. */
export interface CallSetup {
  srf(): SrfClient;
  trunk: Trunk;
  /** With it, a call's media is anchored in rtpengine. */
  rtpengine?: NgClient;
  calls: SipCalls;
  logger: Logger;
}

/**
 * The SIP provider's calls in progress, placed (sip.click-to-call.ts) or inbound (sip.connect-agent.ts),
 * by providerRef, and how each ends: a BYE from either leg, a failed step, a hangup. Every ending
 * reports once and disposes the call's dialogs and listeners.
 */
export class SipCalls {
  private readonly calls = new Map<string, SipCall>();

  /** `sink`: where the calls' facts go (the provider's `connect`), read when each is reported. */
  constructor(private readonly sink: () => CallReportSink | undefined) {}

  get size(): number {
    return this.calls.size;
  }

  add(call: SipCall): void {
    this.calls.set(call.ref, call);
  }

  get(providerRef: string): SipCall | undefined {
    return this.calls.get(providerRef);
  }

  all(): SipCall[] {
    return [...this.calls.values()];
  }

  live(handle: CallHandle): SipCall {
    const call = this.calls.get(handle.providerRef);
    if (!call || call.ended) throw new VoiceProviderError('this call is not in progress on the SIP provider');
    return call;
  }

  watch(call: SipCall, dialog: SrfDialog, side: 'agent' | 'customer'): void {
    const onBye = (): void => {
      call.log.info(`the ${side} hung up`);
      call[side] = undefined; // its dialog is over: no BYE back
      // Before both legs are up: the agent gave up the attempt; the customer hung up before we could bridge.
      void this.end(call, call.answered ? 'completed' : side === 'agent' ? 'canceled' : 'failed');
    };
    call.detach.push(followDialog(call, side, dialog, onBye));
  }

  /** Reports the ending once, then disposes. */
  end(call: SipCall, reason: EndReason, failure?: CallReport['failure']): Promise<void> {
    if (!call.ended) {
      call.ended = true;
      this.report(call, { kind: 'ended', reason }, failure);
    }
    return this.dispose(call);
  }

  /** Releases the call's dialogs and listeners; every ending comes here, and twice is harmless. */
  dispose(call: SipCall): Promise<void> {
    call.ended = true;
    call.disposal ??= (async () => {
      this.calls.delete(call.ref);
      for (const detach of call.detach.splice(0)) detach();
      for (const stop of [...call.audio]) stop();
      await this.release(call);
      await call.anchor.release();
    })();
    return call.disposal;
  }

  /** BYE/CANCEL whatever of the call is still up; late answers of an ended call come here too. */
  async release(call: SipCall): Promise<void> {
    const { customer, agent, agentOffer, customerInvite, agentInvite } = call;
    Object.assign(call, { customer: undefined, agent: undefined, agentOffer: undefined, customerInvite: undefined, agentInvite: undefined });
    const pending: Array<Promise<unknown> | undefined> = [customer?.destroy(), agent?.destroy(), agentOffer?.destroy() /* ACK, then BYE */, releaseConsultee(call)];
    for (const invite of [customerInvite, agentInvite]) {
      if (invite) pending.push(new Promise<void>((resolve, reject) => invite.cancel((err) => (err ? reject(err) : resolve()))));
    }
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === 'rejected') call.log.debug({ err: messageOf(outcome.reason) }, 'releasing a leg failed (already gone?)');
    }
  }

  /** A step of the call that fails unexpectedly (e.g. the connection went) ends the call. */
  follow(call: SipCall, step: Promise<unknown>): void {
    step.catch((err: unknown) => {
      call.log.error({ err: messageOf(err) }, 'call signalling failed');
      void this.end(call, 'failed');
    });
  }

  report(call: SipCall, fact: CallFact, failure?: CallReport['failure']): void {
    const report: CallReport = { provider: 'sip', callId: call.callId, providerRef: call.ref, fact, ...(failure ? { failure } : {}) };
    call.reports = call.reports
      .then(() => this.sink()?.(report))
      .catch((err: unknown) => call.log.error({ err: messageOf(err), fact }, 'the call report was not taken'));
  }
}
