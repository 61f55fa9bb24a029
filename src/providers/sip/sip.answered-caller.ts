import type { Logger } from 'pino';
import { VoiceProviderError, type CallHandle, type CallReport } from '../voice-provider.port';
import type { EarlyMedia } from './sip.early-media';
import type { SipInbound } from './sip-inbound';
import { infoKey } from './sip.mapper';
import { messageOf, type SrfClient, type SrfDialog, type SrfResponse } from './srf.types';

/**
 * A waiting caller the gateway answered itself, in place of an agent (the queue timeout's voicemail,
 * question and callback confirmation): the 200 OK carried the description the 183 gave, so the media
 * stays the early media's rtpengine call. Keys the caller sends as SIP INFO go to `keys`; keys in the
 * media (RFC 4733) come through the step's own rtpengine subscription.
 */
export class AnsweredCaller {
  private gone = false;
  /** Resolves when the caller hangs up (their BYE), never otherwise. */
  readonly hangup: Promise<void>;
  /** The step listening for keys now; none: a key sent as INFO is acknowledged and dropped. */
  keys?: (key: string) => void;

  constructor(readonly dialog: SrfDialog, readonly early: EarlyMedia) {
    this.hangup = new Promise((resolve) => dialog.on('destroy', () => { this.gone = true; resolve(); }));
    dialog.on('info', (req: { get(name: string): string | undefined; body?: string }, res: SrfResponse) => {
      res.send(200);
      const key = infoKey(req.get('Content-Type'), req.body);
      if (key) this.keys?.(key);
    });
  }

  get hungUp(): boolean {
    return this.gone;
  }
}

export interface SipAnsweringDeps {
  srf(): SrfClient;
  inbound: SipInbound;
  logger: Logger;
  report(report: CallReport): void;
}

/** How long an answered caller waits for the gateway's next step (the key pressed → voicemail or confirmation) before being let go. */
export const HELD_MS = 30_000;

/**
 * The callers the gateway answered, by call. A step takes the caller (answering it, unless an earlier
 * step of the same call did: one 200 OK, one rtpengine call), and either releases it (BYE if still
 * there; rtpengine forgets the call) or keeps it for the next step: the question keeps it for the
 * voicemail or the confirmation the gateway decides on. A kept caller nobody takes within HELD_MS
 * (the gateway failed between the steps) is released and its call reported ended.
 */
export class SipAnswering {
  private readonly kept = new Map<string, { caller: AnsweredCaller; handle: CallHandle; expiry: NodeJS.Timeout }>();

  constructor(private readonly deps: SipAnsweringDeps) {}

  async take(handle: CallHandle, log: Logger): Promise<AnsweredCaller> {
    const kept = this.kept.get(handle.providerRef);
    if (kept) {
      clearTimeout(kept.expiry);
      this.kept.delete(handle.providerRef);
      return kept.caller;
    }
    const { req, res, early } = await this.deps.inbound.takeForVoicemail(handle.providerRef);
    await early.pause(); // no more greeting or hold music
    let dialog: SrfDialog;
    try {
      dialog = await this.deps.srf().createUAS(req, res, { localSdp: early.callerSdp });
    } catch (err) {
      await early.release();
      throw new VoiceProviderError(`the caller could not be answered: ${messageOf(err)}`);
    }
    log.info('caller answered by the gateway');
    return new AnsweredCaller(dialog, early);
  }

  keep(handle: CallHandle, caller: AnsweredCaller): void {
    const expiry = setTimeout(() => {
      if (this.kept.get(handle.providerRef)?.caller !== caller) return;
      this.kept.delete(handle.providerRef);
      this.deps.logger.warn({ provider: 'sip', callId: handle.callId }, 'an answered caller waited for the gateway\'s next step too long: released');
      void this.end(handle, caller);
    }, HELD_MS);
    expiry.unref();
    this.kept.set(handle.providerRef, { caller, handle, expiry });
  }

  /** BYE if the caller is still there; rtpengine forgets the call. */
  async release(caller: AnsweredCaller): Promise<void> {
    if (!caller.hungUp) await caller.dialog.destroy().catch(() => undefined);
    await caller.early.release().catch(() => undefined);
  }

  /** Shutdown or lost connection: every kept caller is released and its call reported ended. */
  releaseAll(): void {
    for (const [providerRef, { caller, handle, expiry }] of this.kept) {
      clearTimeout(expiry);
      this.kept.delete(providerRef);
      void this.end(handle, caller);
    }
  }

  private async end(handle: CallHandle, caller: AnsweredCaller): Promise<void> {
    await this.release(caller);
    this.deps.report({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, fact: { kind: 'ended', reason: 'completed' } });
  }
}
