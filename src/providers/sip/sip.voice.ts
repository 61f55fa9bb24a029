import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import pino, { type Logger } from 'pino';
import type { CallFact, EndReason } from '../../calls/domain/call-state';
import {
  VoiceProviderError, type CallHandle, type CallReport, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import { customerUri, endpointUri, parseTrunk, sipEndReason, sipProgress, withDirection, type SdpDirection } from './sip.mapper';

export interface SipVoiceOptions {
  /** drachtio-server's control socket (`providers.drachtio`). */
  host: string;
  port: number;
  secret: string;
  /** Where customers (and E.164 agents) are dialled: `sip:trunk.example.com:5060` (`providers.sipTrunkUri`). */
  trunkUri: string;
  /** Reconnect backoff after a lost or refused connection: doubles from `initialDelayMs` up to `maxDelayMs`. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

// drachtio-srf as its installed source behaves (its bundled typings miss noAck's result and the
// progress callbacks' error argument).
interface SrfMessage { status: number; body: string; get(name: string): string | undefined }
interface SrfRequest extends SrfMessage { cancel(callback?: (err?: Error) => void): void }
interface SrfDialog extends EventEmitter {
  sip: { callId: string };
  local: { sdp: string };
  remote: { sdp: string };
  destroy(): Promise<unknown>;
  modify(sdp: string): Promise<string>;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfMessage>;
}
/** The agent's 200 to our offer-less INVITE, not yet ACKed (RFC 3725 flow I). */
interface AgentOffer { sdp: string; ack(sdp: string): Promise<SrfDialog>; destroy(): Promise<void> }
interface UacOptions { headers?: Record<string, string>; localSdp?: string; noAck?: boolean; callingNumber?: string }
interface UacProgress { cbRequest?: (err: Error | null, req?: SrfRequest) => void; cbProvisional?: (res: SrfMessage) => void }
interface SrfClient extends EventEmitter {
  connect(opts: Record<string, unknown>): void;
  disconnect(): void;
  createUAC(uri: string, opts: UacOptions, progress?: UacProgress): Promise<SrfDialog | AgentOffer>;
}

interface SipCall {
  callId: string;
  /** Call-ID of the customer leg: our providerRef, chosen before that leg exists. */
  ref: string;
  request: CallRequest;
  customerUri: string;
  log: Logger;
  agentInvite?: SrfRequest;
  agentOffer?: AgentOffer;
  agent?: SrfDialog;
  customerInvite?: SrfRequest;
  customer?: SrfDialog;
  /** The agent INVITE went out: from here on, failures are reported rather than thrown by place(). */
  invited: boolean;
  answered: boolean;
  rang: boolean;
  ended: boolean;
  reports: Promise<void>;
  detach: Array<() => void>;
  disposal?: Promise<void>;
}

const DTMF = /^[0-9*#A-Dw,]{1,64}$/;
const PAUSE_MS = 500; // `w` and `,` in a digit string, as Twilio reads them

/**
 * Click-to-call through a drachtio-server, as third-party call control (RFC 3725 flow I): the
 * agent's device is INVITEd without SDP, its offer goes to the customer through the trunk, and
 * the customer's answer goes back in the agent's ACK.
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

  constructor(private readonly options: SipVoiceOptions, private readonly logger: Logger = pino({ level: 'silent' })) {
    parseTrunk(options.trunkUri); // a bad trunk is a configuration error: fail at boot
    this.open();
  }

  connect(sink: CallReportSink): void {
    this.sink = sink;
  }

  /** Calls in progress (each holds dialogs until its dispose). */
  get liveCalls(): number {
    return this.calls.size;
  }

  async check(): Promise<void> {
    if (!this.connected) {
      const why = this.lastError ? `: ${this.lastError}` : '';
      throw new VoiceProviderError(`not connected to drachtio-server at ${this.options.host}:${this.options.port}${why}`);
    }
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
      invited: false, answered: false, rang: false, ended: false, reports: Promise.resolve(), detach: [],
    };
    this.calls.set(ref, call);
    let sent!: (req: SrfRequest) => void;
    let failed!: (err: unknown) => void;
    const invited = new Promise<SrfRequest>((resolve, reject) => { sent = resolve; failed = reject; });
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return failed(err);
      call.invited = true;
      call.agentInvite = req;
      sent(req);
    };
    this.follow(call, srf.createUAC(agentUri, { noAck: true, callingNumber: request.to }, { cbRequest: onRequest }).then(
      (answer) => this.onAgentAnswer(call, answer),
      (err: unknown) => (call.invited ? this.onAgentFailure(call, err) : failed(err)),
    ));
    try {
      await invited;
    } catch (err) {
      call.ended = true;
      void this.dispose(call);
      throw new VoiceProviderError(`drachtio-server did not send the INVITE to the agent: ${messageOf(err)}`);
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
  async hold(handle: CallHandle): Promise<void> {
    const call = this.live(handle);
    await this.reinvite(call, required(call.customer, 'customer'), 'inactive');
  }

  async resume(handle: CallHandle): Promise<void> {
    const call = this.live(handle);
    await this.reinvite(call, required(call.customer, 'customer'), 'sendrecv');
  }

  /**
   * re-INVITE the agent with the customer's description set sendonly: the agent's device answers
   * recvonly and stops sending, so the customer no longer hears the agent while the agent still
   * hears the customer. The customer's leg is untouched (hold stays independent of mute).
   */
  async mute(handle: CallHandle): Promise<void> {
    const call = this.live(handle);
    await this.reinvite(call, required(call.agent, 'agent'), 'sendonly');
  }

  async unmute(handle: CallHandle): Promise<void> {
    const call = this.live(handle);
    await this.reinvite(call, required(call.agent, 'agent'), 'sendrecv');
  }

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
      const res = await this.inDialog(call, required(call.customer, 'customer'), {
        method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay' }, body: `Signal=${digit}\r\nDuration=160`,
      });
      if (res.status >= 300) throw new VoiceProviderError(`the customer's side refused DTMF ${digit}: ${res.status}`);
    }
  }

  /** Blind transfer: REFER the customer to the target; the customer's BYE that follows ends our legs. */
  async transfer(handle: CallHandle, to: string): Promise<void> {
    const call = this.live(handle);
    const target = endpointUri(to, this.options.trunkUri, 'transfer target');
    const res = await this.inDialog(call, required(call.customer, 'customer'), { method: 'REFER', headers: { 'Refer-To': `<${target}>` } });
    if (res.status >= 300) throw new VoiceProviderError(`the customer's side refused the transfer: ${res.status}`);
    call.log.info({ status: res.status }, 'customer referred to the transfer target');
  }

  /** Ends every call (BYE/CANCEL, reported like a hangup), stops reconnecting, disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    await Promise.all([...this.calls.values()].map((call) => this.end(call, call.answered ? 'completed' : 'canceled')));
    const srf = this.srf;
    if (srf && this.connected) {
      const gone = new Promise((resolve) => { srf.once('close', resolve); setTimeout(resolve, 2000).unref(); });
      srf.disconnect();
      await gone;
    }
    this.connected = false;
  }

  // ── The call ────────────────────────────────────────────────────────────────────────────────

  private onAgentAnswer(call: SipCall, answer: SrfDialog | AgentOffer): void {
    if ('sip' in answer) {
      // A 200 without an offer: srf has ACKed it into a dialog we cannot bridge.
      call.agent = answer;
      if (call.ended) return void this.release(call);
      call.log.warn('the agent answered without an SDP offer');
      return void this.end(call, 'failed');
    }
    call.agentOffer = answer;
    if (call.ended) return void this.release(call); // hung up while the 200 was on its way
    call.log.info('agent answered; INVITE to the customer');
    const opts: UacOptions = { localSdp: answer.sdp, headers: { 'Call-ID': call.ref } };
    if (call.request.callerId) opts.callingNumber = call.request.callerId;
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
      (err: unknown) => this.onCustomerFailure(call, err),
    ));
  }

  private async onCustomerAnswer(call: SipCall, customer: SrfDialog): Promise<void> {
    call.customer = customer;
    call.customerInvite = undefined;
    if (call.ended) return this.release(call);
    const offer = required(call.agentOffer, 'agent');
    try {
      call.agent = await offer.ack(customer.remote.sdp);
      call.agentOffer = undefined;
    } catch (err) {
      call.log.warn({ err: messageOf(err) }, 'could not ACK the agent with the customer\'s answer');
      return this.end(call, 'failed');
    }
    this.watch(call, customer, 'customer');
    this.watch(call, call.agent, 'agent');
    call.answered = true;
    call.log.info('customer answered; agent and customer bridged');
    this.report(call, { kind: 'answered' });
  }

  private onCustomerFailure(call: SipCall, err: unknown): void {
    call.customerInvite = undefined;
    if (call.ended) return;
    const status = statusOf(err);
    call.log.info({ status }, 'the customer leg failed');
    void this.end(call, status ? sipEndReason(status) : 'failed');
  }

  private onAgentFailure(call: SipCall, err: unknown): void {
    call.agentInvite = undefined;
    if (call.ended) return;
    const status = statusOf(err);
    call.log.info({ status }, 'the agent leg failed');
    // The agent's device refusing is no fact about the customer: a failed attempt, unless we cancelled.
    void this.end(call, status === 487 ? 'canceled' : 'failed');
  }

  private watch(call: SipCall, dialog: SrfDialog, side: 'agent' | 'customer'): void {
    const onBye = (): void => {
      call.log.info(`the ${side} hung up`);
      if (side === 'agent') call.agent = undefined;
      else call.customer = undefined;
      void this.end(call, 'completed');
    };
    dialog.on('destroy', onBye);
    call.detach.push(() => dialog.off('destroy', onBye));
  }

  /** Reports the ending once, then disposes. */
  private end(call: SipCall, reason: EndReason): Promise<void> {
    if (!call.ended) {
      call.ended = true;
      this.report(call, { kind: 'ended', reason });
    }
    return this.dispose(call);
  }

  /** Releases the call's dialogs and listeners; every ending comes here, and twice is harmless. */
  private dispose(call: SipCall): Promise<void> {
    call.ended = true;
    call.disposal ??= (async () => {
      this.calls.delete(call.ref);
      for (const detach of call.detach.splice(0)) detach();
      await this.release(call);
    })();
    return call.disposal;
  }

  /** BYE/CANCEL whatever of the call is still up; late answers of an ended call come here too. */
  private async release(call: SipCall): Promise<void> {
    const pending: Array<Promise<unknown>> = [];
    const take = <K extends 'agent' | 'customer' | 'agentOffer' | 'agentInvite' | 'customerInvite'>(key: K): SipCall[K] => {
      const value = call[key];
      call[key] = undefined;
      return value;
    };
    const customer = take('customer');
    const agent = take('agent');
    const offer = take('agentOffer');
    if (customer) pending.push(customer.destroy());
    if (agent) pending.push(agent.destroy());
    if (offer) pending.push(offer.destroy()); // ACK then BYE
    for (const invite of [take('customerInvite'), take('agentInvite')]) {
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

  private report(call: SipCall, fact: CallFact): void {
    const report: CallReport = { provider: 'sip', callId: call.callId, providerRef: call.ref, fact };
    // One chain per call, so the sink sees its facts in order.
    call.reports = call.reports
      .then(() => this.sink?.(report))
      .catch((err: unknown) => call.log.error({ err: messageOf(err), fact }, 'the call report was not taken'));
  }

  private live(handle: CallHandle): SipCall {
    const call = this.calls.get(handle.providerRef);
    if (!call || call.ended) throw new VoiceProviderError('this call is not in progress on the SIP provider');
    return call;
  }

  private async reinvite(call: SipCall, dialog: SrfDialog, direction: SdpDirection): Promise<void> {
    try {
      await dialog.modify(withDirection(dialog.local.sdp, direction));
    } catch (err) {
      throw new VoiceProviderError(`re-INVITE (${direction}) failed: ${messageOf(err)}`);
    }
    call.log.info({ direction }, 're-INVITE accepted');
  }

  private async inDialog(call: SipCall, dialog: SrfDialog, opts: Parameters<SrfDialog['request']>[0]): Promise<SrfMessage> {
    try {
      return await dialog.request(opts);
    } catch (err) {
      call.log.warn({ method: opts.method, err: messageOf(err) }, 'in-dialog request failed');
      throw new VoiceProviderError(`${opts.method} could not be sent: ${messageOf(err)}`);
    }
  }

  // ── The connection ──────────────────────────────────────────────────────────────────────────

  private requireSrf(): SrfClient {
    if (!this.srf || !this.connected) throw new VoiceProviderError(`not connected to drachtio-server at ${this.options.host}:${this.options.port}`);
    return this.srf;
  }

  private open(): void {
    const srf = new Srf() as unknown as SrfClient;
    this.srf = srf;
    srf.on('connect', (err: Error | null, hostport?: string) => {
      if (err) {
        this.lastError = err.message;
        this.logger.error({ err: err.message }, 'drachtio-server refused the connection');
        srf.disconnect(); // try again later: the secret may be fixed on the server's side
        return;
      }
      if (this.closed) return srf.disconnect();
      this.connected = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.logger.info({ hostport }, 'connected to drachtio-server');
    });
    srf.on('error', (err: Error) => {
      this.lastError = err.message; // 'close' follows and schedules the retry
    });
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
    }
    if (this.closed) return;
    const { initialDelayMs = 500, maxDelayMs = 30_000 } = this.options.reconnect ?? {};
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.open(), delay);
    this.retry.unref();
  }
}

function required<T>(value: T | undefined, leg: string): T {
  if (value === undefined) throw new VoiceProviderError(`the ${leg} leg is not connected`);
  return value;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
