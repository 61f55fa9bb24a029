import type { Logger } from 'pino';
import type { IncomingCall, IncomingVerdict } from '../inbound-call.port';
import { VoiceProviderError, type CallReport } from '../voice-provider.port';
import { messageOf, statusOf, type SrfDialog } from './srf.types';
import type { EarlyMedia } from './sip.early-media';

/** What drachtio-srf hands an `srf.invite` handler (the parts used here). */
export interface InboundInvite {
  source_address: string;
  body: string;
  get(name: string): string | undefined;
  on(event: 'cancel', listener: () => void): void;
}
export interface InboundResponse {
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }): void;
}
/** srf's B2BUA: INVITEs `uri` with the caller's offer and answers the caller with the callee's answer. */
/** The descriptions of an inbound call on their way between the caller and the agent's device. */
export interface InboundMedia { offer(callerOffer: string): Promise<string>; answer(deviceAnswer: string): Promise<string> }

export type CreateB2bua = (req: InboundInvite, res: InboundResponse, uri: string, opts: Record<string, unknown>) => Promise<{ uas: SrfDialog; uac: SrfDialog }>;

interface Waiting {
  callId: string;
  req: InboundInvite;
  res: InboundResponse;
  /** `connecting`: the agent's device is being INVITEd (srf's B2BUA then answers a CANCEL itself); `voicemail`: sip.voicemail.ts has it. */
  stage: 'waiting' | 'connecting' | 'voicemail' | 'cancelled';
  /** The greeting and hold music through rtpengine (sip.early-media.ts), once `ready`; none: ringback. */
  early?: EarlyMedia;
  ready: Promise<void>;
}

/** What voicemail takes over from a waiting caller (sip.voicemail.ts). */
export interface WaitingCaller { callId: string; req: InboundInvite; res: InboundResponse; early: EarlyMedia }

/** The caller as a number: the user part of a SIP URI in a From/To header (`"x" <sip:+1415…@host>;tag=…`). */
export function sipUser(header: string | undefined): string | undefined {
  const match = /<?sips?:([^@;>]+)@/i.exec(header ?? '');
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/**
 * Calls from the trunk through drachtio-server (the gateway's drachtio app receives INVITEs).
 * Only the trunk's addresses may call in: any other source gets 403 and is logged. The dialled
 * number (To) selects the tenant; an unknown one gets 404, a caller whose conversation is on a
 * call already 486. An accepted caller hears ringback (180 Ringing) and stays unanswered until an
 * agent answers on the console; then the agent's device is INVITEd with the caller's offer and
 * the caller is answered with the device's answer (a B2BUA). A CANCEL while waiting gets 487
 * and ends the call `canceled`.
 */
export class SipInbound {
  private readonly waiting = new Map<string, Waiting>();
  private receiver?: (call: IncomingCall) => Promise<IncomingVerdict>;

  constructor(
    private readonly trunkAddresses: readonly string[],
    private readonly report: (report: CallReport) => void,
    private readonly logger: Logger,
    /** With rtpengine: the caller hears the greeting and hold music as early media instead of ringback. */
    private readonly startEarlyMedia?: (callId: string, req: InboundInvite, res: InboundResponse) => Promise<EarlyMedia>,
  ) {}

  accept(receiver: (call: IncomingCall) => Promise<IncomingVerdict>): void {
    this.receiver = receiver;
  }

  /** srf's INVITE handler. */
  async onInvite(req: InboundInvite, res: InboundResponse): Promise<void> {
    const source = req.source_address;
    if (!this.trunkAddresses.includes(source)) {
      this.logger.warn({ source }, 'INVITE from an address that is not the trunk refused (403)');
      return res.send(403);
    }
    const providerRef = req.get('Call-ID');
    const from = sipUser(req.get('From'));
    const to = sipUser(req.get('To'));
    if (!providerRef || !from || !to) return res.send(400);
    if (!this.receiver) return res.send(503);
    let verdict: IncomingVerdict;
    try {
      verdict = await this.receiver({ provider: 'sip', providerRef, from, to });
    } catch (err) {
      this.logger.error({ err: messageOf(err) }, 'an inbound call could not be recorded (500)');
      return res.send(500);
    }
    if (verdict.kind === 'unknown-number') return res.send(404);
    if (verdict.kind === 'busy') return res.send(486);
    if (this.waiting.has(providerRef)) return; // a retransmission of the INVITE we are working on
    let setUp!: () => void;
    const waiting: Waiting = { callId: verdict.callId, req, res, stage: 'waiting', ready: new Promise((resolve) => { setUp = resolve; }) };
    this.waiting.set(providerRef, waiting);
    req.on('cancel', () => {
      if (waiting.stage === 'cancelled') return;
      // While connecting, srf's B2BUA answers it and CANCELs the device; voicemail answers before it records.
      if (waiting.stage === 'waiting' || waiting.stage === 'voicemail') res.send(487);
      waiting.stage = 'cancelled';
      this.waiting.delete(providerRef);
      void waiting.ready.then(() => waiting.early?.release());
      this.report({ provider: 'sip', callId: waiting.callId, providerRef, fact: { kind: 'ended', reason: 'canceled' } });
    });
    // No 183 once the INVITE got its final response (a CANCEL while rtpengine was asked).
    const early: InboundResponse = { send: (status, opts) => (waiting.stage === 'cancelled' ? undefined : res.send(status, opts)) };
    try {
      if (this.startEarlyMedia) waiting.early = await this.startEarlyMedia(waiting.callId, req, early);
    } catch (err) {
      this.logger.warn({ err: messageOf(err), callId: waiting.callId }, 'no early media through rtpengine: ringback instead');
    } finally {
      setUp();
    }
    if (!waiting.early && waiting.stage === 'waiting') res.send(180); // ringback while the call waits for an agent
  }

  /**
   * Connects the waiting caller to the agent's device; the caller keeps waiting when the device
   * refuses. `media` rewrites the caller's offer for the device and the device's answer for the
   * caller (rtpengine's `offer` and `answer`, when the media is anchored).
   */
  async connect(providerRef: string, agentUri: string, createB2bua: CreateB2bua, media?: InboundMedia): Promise<{ uas: SrfDialog; uac: SrfDialog }> {
    const waiting = this.waiting.get(providerRef);
    if (!waiting || waiting.stage !== 'waiting') throw new VoiceProviderError('the caller is no longer waiting on the SIP provider');
    waiting.stage = 'connecting';
    await waiting.ready;
    await waiting.early?.pause(); // the agent's device rings now; srf relays its ringback, if any
    try {
      // passFailure false: a device that refuses must not end the caller's call; it goes back to waiting.
      const localSdpB = media ? await media.offer(waiting.req.body) : waiting.req.body;
      if (waiting.stage !== 'connecting') {
        // CANCELled while rtpengine was asked: no B2BUA yet to answer the INVITE, so we do.
        try { waiting.res.send(487); } catch { /* the connection is gone */ }
        throw new Error('the caller hung up');
      }
      const legs = await createB2bua(waiting.req, waiting.res, agentUri, { localSdpB, localSdpA: media?.answer, passFailure: false });
      this.waiting.delete(providerRef);
      return legs;
    } catch (err) {
      if (waiting.stage === 'connecting') {
        waiting.stage = 'waiting';
        await waiting.early?.resume().catch(() => undefined); // the caller waits on for another agent
      }
      throw new VoiceProviderError(`the agent's device did not answer: ${statusOf(err) ?? messageOf(err)}`);
    }
  }

  /**
   * The anchored early media of a waiting caller (undefined: ringback, or not waiting), once set up:
   * connecting an agent goes on with the same rtpengine call.
   */
  async earlyMedia(providerRef: string): Promise<EarlyMedia | undefined> {
    const waiting = this.waiting.get(providerRef);
    await waiting?.ready;
    return waiting?.early;
  }

  /** Hands a waiting caller with early media to voicemail: no agent can take it from now on. */
  /** Whether the caller waits here with early media in rtpengine: the gateway could answer it itself. */
  canAnswerItself(providerRef: string): boolean {
    const waiting = this.waiting.get(providerRef);
    return waiting?.stage === 'waiting' && waiting.early !== undefined;
  }

  async takeForVoicemail(providerRef: string): Promise<WaitingCaller> {
    const waiting = this.waiting.get(providerRef);
    if (!waiting || waiting.stage !== 'waiting') throw new VoiceProviderError('the caller is no longer waiting on the SIP provider');
    waiting.stage = 'voicemail';
    await waiting.ready;
    if (waiting.stage !== 'voicemail') throw new VoiceProviderError('the caller hung up');
    if (!waiting.early) {
      waiting.stage = 'waiting';
      throw new VoiceProviderError('voicemail over SIP needs the call\'s media in rtpengine (RTPENGINE_URL)');
    }
    this.waiting.delete(providerRef);
    return { callId: waiting.callId, req: waiting.req, res: waiting.res, early: waiting.early };
  }

  /** Ends every waiting caller (shutdown, lost connection): 480 Temporarily Unavailable. */
  releaseAll(): void {
    for (const [providerRef, waiting] of this.waiting) {
      this.waiting.delete(providerRef);
      waiting.stage = 'cancelled';
      try { waiting.res.send(480); } catch { /* the connection is gone */ }
      void waiting.ready.then(() => waiting.early?.release());
      this.report({ provider: 'sip', callId: waiting.callId, providerRef, fact: { kind: 'ended', reason: 'failed' } });
    }
  }
}
