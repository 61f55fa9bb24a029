import { randomUUID } from 'node:crypto';
import Srf from 'drachtio-srf';
import pino, { type Logger } from 'pino';
import type { CallFact, EndReason } from '../../calls/domain/call-state';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import {
  VoiceProviderError, type CallHandle, type CallReport, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import {
  blackHoleAnswer, customerUri, endpointUri, parseTrunk, restamp, sipEndReason, sipProgress, withDirection, type SdpDirection,
} from './sip.mapper';
import type { IncomingCall, IncomingVerdict } from '../inbound-call.port';
import { SipInbound } from './sip-inbound';
import { sipReasonPhrase } from '../sip-reason';
import { releaseConsultee, SipConsultation } from './sip.consult';
import type { ParticipantControl } from '../voice-participants.port';
import { bridge, offerThrough, followDialog, renegotiating } from './sip.reinvite';
import type { CallAudioSink, StopAudio } from '../call-media.port';
import type { NgClient } from './rtpengine/ng-client';
import { direct, RtpengineAnchor } from './rtpengine/rtpengine.anchor';
import { listenThroughRtpengine } from './rtpengine/rtpengine.audio';
import { customerInviteOptions, trunkAuth, type TrunkCredentials } from './sip.trunk';
import { EarlyMedia } from './sip.early-media';
import { takeSipVoicemail } from './sip.voicemail';
import type { CallVoicemail } from '../voicemail.port';
import { SipAnswering } from './sip.answered-caller';
import { askSipQueueChoice, confirmSipCallback } from './sip.queue-choice';
import type { CallQueueChoice } from '../queue-choice.port';
import { withDefaults, type Sounds } from './rtpengine/domain/sounds';
import {
  disconnect, messageOf, required, statusOf,
  type AgentOffer, type SipCall, type SrfClient, type SrfDialog, type SrfMessage, type SrfRequest, type UacOptions,
} from './srf.types';

export interface SipVoiceOptions {
  /** drachtio-server's control socket (`providers.drachtio`). */
  host: string;
  port: number;
  secret: string;
  /** Where customers (and E.164 agents) are dialled: `sip:trunk.example.com:5060` (`providers.sipTrunkUri`). */
  trunkUri: string;
  /** What the trunk's digest challenges (401/407) are answered with (`providers.sipTrunkUsername`/`sipTrunkPassword`). */
  trunkCredentials?: TrunkCredentials;
  /** Reconnect backoff after a lost or refused connection: doubles from `initialDelayMs` up to `maxDelayMs`. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Inbound calls: the addresses INVITEs may come from (the trunk's; `providers.sipTrunkAddresses`). */
  trunkAddresses?: readonly string[];
  /**
   * rtpengine's NG control (`RTPENGINE_URL`): placed calls have their media anchored there, which
   * gives them recording and live audio. Without it the phones send RTP to each other.
   */
  rtpengine?: NgClient;
  /**
   * With rtpengine: what a waiting inbound caller hears (greeting, hold music) and the voicemail
   * prompt and beep (`SIP_SOUNDS_DIR`, sip.sounds.ts); the gateway's own tones by default.
   */
  sounds?: Sounds;
}

const DTMF = /^[0-9*#A-Dw,]{1,64}$/;
const PAUSE_MS = 500; // `w` and `,` in a digit string, as Twilio reads them
const SEND_TIMEOUT_MS = 10_000; // drachtio-server confirms a sent request at once; silence means a dead link

/**
 * Click-to-call through a drachtio-server, as third-party call control with no 200 left un-ACKed
 * (RFC 3725 §5 "black hole", then a re-INVITE): the agent's device is INVITEd without SDP and its
 * 200 is ACKed at once with an inactive answer, so the agent's transaction is complete whatever
 * the ring time and its hangup is heard; the agent's offer goes to the customer through the trunk;
 * when the customer answers, the agent is re-INVITEd with the customer's answer. The agent hears
 * silence while the customer rings (README, SIP). Later re-INVITEs from either side are relayed to
 * the other (glare: 491).
 *
 * Connects on construction and keeps reconnecting with backoff until `close()`; `check()` fails
 * while not connected. A lost connection ends the calls it carried (`failed`): their dialogs
 * lived on that socket and can no longer be controlled or heard from.
 */
export class SipVoiceProvider implements VoiceProvider {
  readonly name = 'sip';
  private sink?: CallReportSink;
  private readonly calls = new Map<string, SipCall>();
  private srf?: SrfClient;
  private connected = false;
  private closed = false;
  private lastError?: string;
  private attempt = 0;
  private retry?: NodeJS.Timeout;
  /** Calls from the trunk waiting for an agent (sip-inbound.ts). */
  private readonly inbound: SipInbound;
  /** Warm transfer by re-INVITEs: consult, complete, cancel (sip.consult.ts); mixing is refused. */
  readonly participants: ParticipantControl;
  /** Voicemail for waiting inbound callers (sip.voicemail.ts): with rtpengine only, so none without it. */
  readonly takeVoicemail?: CallVoicemail['takeVoicemail'];
  /** The queue timeout's choice, voicemail or callback (sip.queue-choice.ts): with rtpengine only, like voicemail. */
  readonly askQueueChoice?: CallQueueChoice['askQueueChoice'];
  readonly confirmCallback?: CallQueueChoice['confirmCallback'];
  readonly takesVoicemailFor?: CallVoicemail['takesVoicemailFor'];
  /** Voicemails recording and questions asked now: each entry ends one (close, lost connection). */
  private readonly voicemails = new Set<(why: string) => void>();
  /** Callers the gateway answered itself (voicemail, the queue's question), kept between those steps. */
  private readonly answering?: SipAnswering;

  constructor(private readonly options: SipVoiceOptions, private readonly logger: Logger = pino({ level: 'silent' })) {
    parseTrunk(options.trunkUri); // a bad trunk is a configuration error: fail at boot
    const { rtpengine } = options;
    const sounds = options.sounds ?? withDefaults({});
    // With rtpengine a waiting caller hears the greeting and hold music (sip.early-media.ts), else ringback.
    const earlyMedia: ConstructorParameters<typeof SipInbound>[3] = rtpengine && ((callId, req, res) => EarlyMedia.start(rtpengine, callId, req.body, sounds, res));
    this.inbound = new SipInbound(options.trunkAddresses ?? [], (report) => void this.sink?.(report).catch(() => undefined), logger.child({ component: 'sip-inbound' }), earlyMedia);
    if (rtpengine) {
      const report = (fact: CallReport): void => void this.sink?.(fact).catch(() => undefined);
      const answering = new SipAnswering({ srf: () => this.requireSrf(), inbound: this.inbound, logger, report });
      const deps = { answering, ng: rtpengine, logger, active: this.voicemails, report };
      this.answering = answering;
      this.takeVoicemail = (handle, request) => takeSipVoicemail(deps, handle, request);
      this.askQueueChoice = (handle) => askSipQueueChoice(deps, handle);
      this.confirmCallback = (handle) => confirmSipCallback(deps, handle);
      this.takesVoicemailFor = (handle) => this.inbound.canAnswerItself(handle.providerRef);
    }
    this.participants = new SipConsultation({
      live: (handle) => this.live(handle),
      srf: () => this.requireSrf(),
      trunk: { uri: options.trunkUri, credentials: options.trunkCredentials },
      adoptAgent: (call, dialog) => this.watch(call, dialog, 'agent'),
    });
    this.open();
  }

  refusal(endpoint: string): string | undefined {
    try {
      endpointUri(endpoint, this.options.trunkUri);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  connect(sink: CallReportSink): void {
    this.sink = sink;
  }

  /** Calls in progress (each holds dialogs until its dispose). */
  get liveCalls(): number {
    return this.calls.size;
  }

  async check(): Promise<void> {
    this.requireSrf();
    // With rtpengine every call's media passes through it: a call placed while it is down fails.
    await this.options.rtpengine?.command({ command: 'ping' }).catch((err: unknown) => {
      throw new VoiceProviderError(`rtpengine does not answer: ${messageOf(err)}`);
    });
  }

  /**
   * Resolves once drachtio-server has sent the INVITE to the agent; the customer is INVITEd when
   * the agent answers. The customer leg's Call-ID is generated here and sent as its Call-ID
   * header (drachtio-server keeps an application's Call-ID), so providerRef is known at once.
   */
  async place(request: CallRequest): Promise<CallHandle> {
    const srf = this.requireSrf();
    const agentUri = endpointUri(request.agentEndpoint, this.options.trunkUri);
    const ref = `${randomUUID()}@contact-gateway`;
    const call: SipCall = {
      callId: request.callId, ref, request, customerUri: customerUri(request.to, this.options.trunkUri),
      log: this.logger.child({ provider: 'sip', callId: request.callId, providerRef: ref }),
      invited: false, answered: false, rang: false, ended: false, renegotiating: 0, reports: Promise.resolve(), detach: [],
      anchor: this.options.rtpengine ? new RtpengineAnchor(this.options.rtpengine, request.callId) : direct, audio: new Set(),
    };
    this.calls.set(ref, call);
    let sent!: (req: SrfRequest) => void;
    let failed!: (err: unknown) => void;
    const invited = new Promise<SrfRequest>((resolve, reject) => { sent = resolve; failed = reject; });
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return failed(err);
      call.invited = true;
      call.agentInvite = req;
      if (call.ended) void this.release(call); // went out after place() gave up
      sent(req);
    };
    // An E.164 agent is reached through the trunk, which may challenge for its account (sip.trunk.ts).
    const auth = trunkAuth(agentUri, { uri: this.options.trunkUri, credentials: this.options.trunkCredentials });
    this.follow(call, srf.createUAC(agentUri, { noAck: true, callingNumber: request.to, auth }, { cbRequest: onRequest }).then(
      (answer) => this.onAgentAnswer(call, answer),
      (err: unknown) => (call.invited ? this.onLegFailure(call, 'agent', err) : failed(err)),
    ));
    const timer = setTimeout(() => failed(new Error(`no word from drachtio-server in ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
    try {
      await invited;
    } catch (err) {
      void this.dispose(call);
      // No INVITE left (one sent after this is released): the call was not taken, another provider may place it.
      throw new VoiceProviderError(`drachtio-server did not send the INVITE to the agent: ${messageOf(err)}`, false, { retryable: true });
    } finally {
      clearTimeout(timer);
    }
    call.log.info('INVITE sent to the agent');
    return { callId: request.callId, providerRef: ref, refs: { agentCallId: call.agentInvite?.get('Call-ID') ?? '' } };
  }

  /** BYE the legs that are up, CANCEL the ones still ringing. Hanging up a call that is over does nothing. */
  async hangup(handle: CallHandle): Promise<void> {
    const call = this.calls.get(handle.providerRef);
    if (call) await this.end(call, call.answered ? 'completed' : 'canceled');
  }

  /** re-INVITE the customer with the agent's description set inactive (and back to sendrecv). */
  hold(handle: CallHandle): Promise<void> { return this.reinvite(handle, 'customer', 'inactive'); }
  resume(handle: CallHandle): Promise<void> { return this.reinvite(handle, 'customer', 'sendrecv'); }

  /**
   * re-INVITE the agent with the customer's description set sendonly: the agent's device answers
   * recvonly and stops sending, so the customer no longer hears the agent while the agent still
   * hears the customer. The customer's leg is untouched (hold stays independent of mute).
   */
  mute(handle: CallHandle): Promise<void> { return this.reinvite(handle, 'agent', 'sendonly'); }
  unmute(handle: CallHandle): Promise<void> { return this.reinvite(handle, 'agent', 'sendrecv'); }

  /** One INFO (`application/dtmf-relay`) per digit on the customer leg; `w` and `,` pause 0.5 s. */
  async sendDtmf(handle: CallHandle, digits: string): Promise<void> {
    if (!DTMF.test(digits)) throw new VoiceProviderError(`digits must match [0-9*#A-Dw,]{1,64} (got "${digits}")`);
    const call = this.live(handle);
    for (const digit of digits) {
      if (call.ended) throw new VoiceProviderError('the call ended while sending digits');
      if (digit === 'w' || digit === ',') {
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        continue;
      }
      await this.inDialog(call, { method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay' }, body: `Signal=${digit}\r\nDuration=160` });
    }
  }

  /** Blind transfer: REFER the customer to the target; the customer's BYE that follows ends our legs. */
  async transfer(handle: CallHandle, to: string): Promise<void> {
    const call = this.live(handle);
    const target = endpointUri(to, this.options.trunkUri, 'transfer target');
    const res = await this.inDialog(call, { method: 'REFER', headers: { 'Refer-To': `<${target}>` } });
    call.log.info({ status: res.status }, 'customer referred to the transfer target');
  }

  /**
   * Media (call-media.port.ts), with rtpengine only: the gateway records from the live audio it
   * receives, like the simulator's. Undefined without rtpengine, so the adapter has no media.
   */
  get recordingMode(): 'gateway' | undefined {
    return this.options.rtpengine ? 'gateway' : undefined;
  }

  /** Live audio: rtpengine forwards a copy of each leg's RTP to the gateway (rtpengine.audio.ts). */
  async startAudio(handle: CallHandle, sink: CallAudioSink): Promise<StopAudio> {
    const call = this.live(handle);
    if (!(call.anchor instanceof RtpengineAnchor) || !this.options.rtpengine) {
      throw new VoiceProviderError('this call\'s media does not pass through rtpengine', true);
    }
    const stop = await listenThroughRtpengine(call.anchor, await this.options.rtpengine.localAddress(), sink, call.log);
    if (call.ended) {
      await stop();
      throw new VoiceProviderError('the call ended while its audio was being set up');
    }
    const once = (): void => { call.audio.delete(once); void stop(); };
    call.audio.add(once);
    return async () => { call.audio.delete(once); await stop(); };
  }

  /** Inbound: where calls from the trunk are recorded (sip-inbound.ts). */
  acceptInbound(receiver: (call: IncomingCall) => Promise<IncomingVerdict>): void {
    this.inbound.accept(receiver);
  }

  /**
   * Inbound: the agent answered on the console. Their device is INVITEd with the waiting caller's
   * offer and the caller answered with the device's answer; from then on the call is one of ours
   * like a placed one (hold, mute, DTMF, transfer, BYE from either side).
   */
  async connectAgent(handle: CallHandle, agentEndpoint: string, callerId: string): Promise<void> {
    const srf = this.requireSrf();
    const agentUri = endpointUri(agentEndpoint, this.options.trunkUri);
    // Anchored: the caller's offer reaches the device as rtpengine's, the device's answer the caller likewise.
    // A caller hearing early media is in rtpengine already: that call goes on, with the agent's real answer.
    const early = await this.inbound.earlyMedia(handle.providerRef);
    const anchor = early?.anchor ?? (this.options.rtpengine ? new RtpengineAnchor(this.options.rtpengine, handle.callId) : direct);
    const media = anchor.anchored
      ? {
        offer: (sdp: string) => anchor.offer('customer', 'agent', sdp),
        // After a 183, the 200's description is the next version of the same origin (RFC 3264 §8).
        answer: async (sdp: string) => {
          const answer = await anchor.answer('customer', 'agent', sdp);
          return early ? restamp(answer, early.callerSdp) : answer;
        },
      }
      : undefined;
    let legs: { uas: SrfDialog; uac: SrfDialog };
    try {
      legs = await this.inbound.connect(handle.providerRef, agentUri, (req, res, uri, opts) => srf.createB2BUA(req, res, uri, opts), media);
    } catch (err) {
      if (!early) await anchor.release(); // the caller waits on, for another agent: a new offer then (early media plays on)
      throw err;
    }
    const { uas, uac } = legs;
    const call: SipCall = {
      callId: handle.callId, ref: handle.providerRef, customerUri: '',
      request: { callId: handle.callId, to: '', agentEndpoint, callerId, callbacks: undefined as never },
      log: this.logger.child({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, direction: 'inbound' }),
      invited: true, answered: true, rang: true, ended: false, renegotiating: 0, reports: Promise.resolve(), detach: [],
      customer: uas, agent: uac, anchor, audio: new Set(),
    };
    this.calls.set(call.ref, call);
    this.watch(call, uas, 'customer');
    this.watch(call, uac, 'agent');
    call.log.info('inbound caller connected to the agent');
  }

  /** Ends every call (BYE/CANCEL, reported like a hangup), stops reconnecting, disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    this.inbound.releaseAll();
    this.answering?.releaseAll();
    for (const end of [...this.voicemails]) end('the gateway is shutting down');
    await Promise.all([...this.calls.values()].map((call) => this.end(call, call.answered ? 'completed' : 'canceled')));
    this.options.rtpengine?.close();
    const srf = this.srf;
    if (srf && this.connected) {
      const gone = new Promise((resolve) => { srf.once('close', resolve); setTimeout(resolve, 2000).unref(); });
      disconnect(srf);
      await gone;
    }
    this.connected = false;
  }

  // ── The call ────────────────────────────────────────────────────────────────────────────────

  private async onAgentAnswer(call: SipCall, answer: SrfDialog | AgentOffer): Promise<void> {
    call.agentInvite = undefined; // answered: from now on the agent's leg is ended with BYE, never CANCEL
    if ('sip' in answer) {
      // A 200 without an offer: srf has ACKed it into a dialog we cannot bridge.
      call.agent = answer;
      if (call.ended) return void this.release(call);
      call.log.warn('the agent answered without an SDP offer');
      return void this.end(call, 'failed');
    }
    call.agentOffer = answer;
    if (call.ended) return this.release(call); // hung up while the 200 was on its way
    // ACK now, whatever the customer's ring time: an un-ACKed 200 makes the agent's device give up
    // after 32 s (Timer H), and until the ACK drachtio-server has no dialog to carry the agent's BYE.
    try {
      const acked = answer.ack(blackHoleAnswer(answer.sdp, String(Date.now()))); // sends the ACK now
      call.agentOffer = undefined; // ACKed: a hangup from here on BYEs the dialog below
      call.agent = await acked;
    } catch (err) {
      call.log.warn({ err: messageOf(err) }, 'could not ACK the agent\'s answer');
      return this.end(call, 'failed');
    }
    this.watch(call, call.agent, 'agent');
    if (call.ended) return this.release(call);
    call.log.info('agent answered (ACKed on hold); INVITE to the customer');
    // Call-ID, caller ID (From, P-Asserted-Identity) and the trunk's credentials: sip.trunk.ts.
    const trunk = { uri: this.options.trunkUri, credentials: this.options.trunkCredentials };
    let localSdp: string;
    try {
      localSdp = await call.anchor.offer('agent', 'customer', answer.sdp); // rtpengine's ports, when anchored
    } catch (err) {
      call.log.warn({ err: messageOf(err) }, 'rtpengine did not take the agent\'s offer');
      return this.end(call, 'failed');
    }
    if (call.ended) return this.release(call);
    const opts: UacOptions = { ...customerInviteOptions(call.ref, call.request.callerId, trunk), localSdp };
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return;
      call.customerInvite = req;
      if (req.get('Call-ID') !== call.ref) call.log.warn({ sent: req.get('Call-ID') }, 'drachtio-server replaced our Call-ID on the customer leg');
      if (call.ended) void this.release(call);
    };
    const onProvisional = (res: SrfMessage): void => {
      const fact = sipProgress(res.status);
      if (call.ended || fact?.kind !== 'ringing' || call.rang) return;
      call.rang = true;
      this.report(call, fact);
    };
    this.follow(call, this.requireSrf().createUAC(call.customerUri, opts, { cbRequest: onRequest, cbProvisional: onProvisional }).then(
      (dialog) => this.onCustomerAnswer(call, dialog as SrfDialog),
      (err: unknown) => this.onLegFailure(call, 'customer', err),
    ));
    this.startRingTimer(call);
  }

  /** Bounds the customer's ringing: then the customer's INVITE is CANCELled and the call ends `no-answer`. */
  private startRingTimer(call: SipCall): void {
    const seconds = call.request.ringTimeoutSeconds ?? RING_TIMEOUT_LIMITS.default;
    const timer = setTimeout(() => {
      if (call.ended || call.customer) return;
      call.log.info({ seconds }, 'the customer did not answer in time; cancelling');
      void this.end(call, 'no-answer');
    }, seconds * 1000);
    call.stopRinging = () => clearTimeout(timer);
    call.detach.push(call.stopRinging);
  }

  private async onCustomerAnswer(call: SipCall, customer: SrfDialog): Promise<void> {
    call.customer = customer;
    call.customerInvite = undefined;
    call.stopRinging?.();
    if (call.ended) return this.release(call);
    this.watch(call, customer, 'customer');
    try {
      await bridge(call, required(call.agent, 'agent'), customer);
    } catch (err) {
      if (call.ended) return; // a hangup during the re-INVITE has ended the call already
      call.log.warn({ err: messageOf(err), status: statusOf(err) }, 'could not bridge: the re-INVITE of the agent failed');
      return this.end(call, 'failed');
    }
    if (call.ended) return;
    call.answered = true;
    call.log.info('customer answered; agent and customer bridged');
    this.report(call, { kind: 'answered' });
  }

  private onLegFailure(call: SipCall, side: 'agent' | 'customer', err: unknown): void {
    call[side === 'agent' ? 'agentInvite' : 'customerInvite'] = undefined;
    if (call.ended) return;
    const status = statusOf(err);
    call.log.info({ status }, `the ${side} leg failed`);
    // The agent's device refusing says nothing about the customer: a failed attempt, unless we cancelled.
    const reason = side === 'customer' ? sipEndReason(status ?? 500) : status === 487 ? 'canceled' : 'failed';
    // The final response's code and reason phrase say why (the API shows them as the call's failure).
    const phrase = (err as { reason?: unknown } | null)?.reason;
    const failure = status === undefined ? undefined
      : { code: String(status), message: `the ${side} leg was refused: ${status} ${typeof phrase === 'string' && phrase ? phrase : sipReasonPhrase(status)}` };
    void this.end(call, reason, failure);
  }

  private watch(call: SipCall, dialog: SrfDialog, side: 'agent' | 'customer'): void {
    const onBye = (): void => {
      call.log.info(`the ${side} hung up`);
      call[side] = undefined; // its dialog is over: no BYE back
      // Before both legs are up: the agent gave up the attempt; the customer hung up before we could bridge.
      void this.end(call, call.answered ? 'completed' : side === 'agent' ? 'canceled' : 'failed');
    };
    call.detach.push(followDialog(call, side, dialog, onBye));
  }

  /** Reports the ending once, then disposes. */
  private end(call: SipCall, reason: EndReason, failure?: CallReport['failure']): Promise<void> {
    if (!call.ended) {
      call.ended = true;
      this.report(call, { kind: 'ended', reason }, failure);
    }
    return this.dispose(call);
  }

  /** Releases the call's dialogs and listeners; every ending comes here, and twice is harmless. */
  private dispose(call: SipCall): Promise<void> {
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
  private async release(call: SipCall): Promise<void> {
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
  private follow(call: SipCall, step: Promise<unknown>): void {
    step.catch((err: unknown) => {
      call.log.error({ err: messageOf(err) }, 'call signalling failed');
      void this.end(call, 'failed');
    });
  }

  private report(call: SipCall, fact: CallFact, failure?: CallReport['failure']): void {
    const report: CallReport = { provider: 'sip', callId: call.callId, providerRef: call.ref, fact, ...(failure ? { failure } : {}) };
    call.reports = call.reports
      .then(() => this.sink?.(report))
      .catch((err: unknown) => call.log.error({ err: messageOf(err), fact }, 'the call report was not taken'));
  }

  private live(handle: CallHandle): SipCall {
    const call = this.calls.get(handle.providerRef);
    if (!call || call.ended) throw new VoiceProviderError('this call is not in progress on the SIP provider');
    return call;
  }

  private async reinvite(handle: CallHandle, side: 'agent' | 'customer', direction: SdpDirection): Promise<void> {
    const call = this.live(handle);
    const dialog = required(call[side], side);
    // Anchored: the other leg's description with that direction is offered through rtpengine, so
    // it knows of the hold or the mute as well; else our last description to the leg is reused.
    const other = side === 'agent' ? 'customer' : 'agent';
    const change = call.anchor.anchored
      ? () => offerThrough(call, other, side, dialog, withDirection(required(call[other], other).remote.sdp, direction))
      : () => dialog.modify(withDirection(dialog.local.sdp, direction));
    try {
      await renegotiating(call, change);
    } catch (err) {
      throw new VoiceProviderError(`re-INVITE of the ${side} (${direction}) failed: ${messageOf(err)}`);
    }
    call.log.info({ side, direction }, 're-INVITE accepted');
  }

  /** A request in the customer's dialog that must succeed. */
  private async inDialog(call: SipCall, opts: Parameters<SrfDialog['request']>[0]): Promise<SrfMessage> {
    let res: SrfMessage;
    try {
      res = await required(call.customer, 'customer').request(opts);
    } catch (err) {
      throw new VoiceProviderError(`${opts.method} could not be sent: ${messageOf(err)}`);
    }
    if (res.status >= 300) throw new VoiceProviderError(`the customer's side refused the ${opts.method}: ${res.status}`);
    return res;
  }

  // ── The connection ──────────────────────────────────────────────────────────────────────────

  private requireSrf(): SrfClient {
    if (this.srf && this.connected) return this.srf;
    const why = this.lastError ? `: ${this.lastError}` : '';
    // Nothing was sent: a call being placed may go to the tenant's next provider.
    throw new VoiceProviderError(`not connected to drachtio-server at ${this.options.host}:${this.options.port}${why}`, false, { retryable: true });
  }

  private open(): void {
    const srf = new Srf() as unknown as SrfClient;
    this.srf = srf;
    srf.invite((req, res) => void this.inbound.onInvite(req, res));
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
    srf.connect({ host: this.options.host, port: this.options.port, secret: this.options.secret, reconnect: { maxAttempts: 1 } });
  }

  private onClose(srf: SrfClient): void {
    if (srf !== this.srf) return;
    const wasConnected = this.connected;
    this.connected = false;
    srf.removeAllListeners();
    srf.on('error', () => undefined); // a late socket error must not become an uncaught exception
    if (wasConnected) {
      this.logger.warn({ calls: this.calls.size }, 'lost the connection to drachtio-server');
      for (const call of this.calls.values()) void this.end(call, 'failed');
      this.inbound.releaseAll();
      this.answering?.releaseAll();
      for (const end of [...this.voicemails]) end('lost the connection to drachtio-server');
    }
    if (this.closed) return;
    const { initialDelayMs = 500, maxDelayMs = 30_000 } = this.options.reconnect ?? {};
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.open(), delay);
    this.retry.unref();
  }
}
