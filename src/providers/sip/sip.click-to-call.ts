import { randomUUID } from 'node:crypto';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import { VoiceProviderError, type CallHandle, type CallRequest } from '../voice-provider.port';
import { sipReasonPhrase } from '../sip-reason';
import { direct, RtpengineAnchor } from './rtpengine/rtpengine.anchor';
import type { CallSetup } from './sip.calls';
import { blackHoleAnswer, customerUri, endpointUri, sipEndReason, sipProgress } from './sip.mapper';
import { bridge } from './sip.reinvite';
import { customerInviteOptions, trunkAuth } from './sip.trunk';
import {
  messageOf, required, statusOf,
  type AgentOffer, type SipCall, type SrfDialog, type SrfMessage, type SrfRequest, type UacOptions,
} from './srf.types';

const SEND_TIMEOUT_MS = 10_000; // drachtio-server confirms a sent request at once; silence means a dead link

/**
 * Click-to-call as third-party call control with no 200 left un-ACKed (RFC 3725 §5 "black hole",
 * then a re-INVITE): the agent's device is INVITEd without SDP and its 200 is ACKed at once with an
 * inactive answer, so the agent's transaction is complete whatever the ring time and its hangup is
 * heard; the agent's offer goes to the customer through the trunk; when the customer answers, the
 * agent is re-INVITEd with the customer's answer. The agent hears silence while the customer rings
 * (README, SIP). From then on the call's legs are followed by sip.calls.ts.
 */
export class SipClickToCall {
  constructor(private readonly host: CallSetup) {}

  /**
   * Resolves once drachtio-server has sent the INVITE to the agent; the customer is INVITEd when
   * the agent answers. The customer leg's Call-ID is generated here and sent as its Call-ID
   * header (drachtio-server keeps an application's Call-ID), so providerRef is known at once.
   */
  async place(request: CallRequest): Promise<CallHandle> {
    const { calls, trunk } = this.host;
    const srf = this.host.srf();
    const agentUri = endpointUri(request.agentEndpoint, trunk.uri);
    const ref = `${randomUUID()}@contact-gateway`;
    const call: SipCall = {
      callId: request.callId, ref, request, customerUri: customerUri(request.to, trunk.uri),
      log: this.host.logger.child({ provider: 'sip', callId: request.callId, providerRef: ref }),
      invited: false, answered: false, rang: false, ended: false, renegotiating: 0, reports: Promise.resolve(), detach: [],
      anchor: this.host.rtpengine ? new RtpengineAnchor(this.host.rtpengine, request.callId) : direct, audio: new Set(),
    };
    calls.add(call);
    let sent!: (req: SrfRequest) => void;
    let failed!: (err: unknown) => void;
    const invited = new Promise<SrfRequest>((resolve, reject) => { sent = resolve; failed = reject; });
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return failed(err);
      call.invited = true;
      call.agentInvite = req;
      if (call.ended) void calls.release(call); // went out after place() gave up
      sent(req);
    };
    // An E.164 agent is reached through the trunk, which may challenge for its account (sip.trunk.ts).
    const auth = trunkAuth(agentUri, trunk);
    calls.follow(call, srf.createUAC(agentUri, { noAck: true, callingNumber: request.to, auth }, { cbRequest: onRequest }).then(
      (answer) => this.onAgentAnswer(call, answer),
      (err: unknown) => (call.invited ? this.onLegFailure(call, 'agent', err) : failed(err)),
    ));
    const timer = setTimeout(() => failed(new Error(`no word from drachtio-server in ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
    try {
      await invited;
    } catch (err) {
      void calls.dispose(call);
      // No INVITE left (one sent after this is released): the call was not taken, another provider may place it.
      throw new VoiceProviderError(`drachtio-server did not send the INVITE to the agent: ${messageOf(err)}`, false, { retryable: true });
    } finally {
      clearTimeout(timer);
    }
    call.log.info('INVITE sent to the agent');
    return { callId: request.callId, providerRef: ref, refs: { agentCallId: call.agentInvite?.get('Call-ID') ?? '' } };
  }

  private async onAgentAnswer(call: SipCall, answer: SrfDialog | AgentOffer): Promise<void> {
    const { calls } = this.host;
    call.agentInvite = undefined; // answered: from now on the agent's leg is ended with BYE, never CANCEL
    if ('sip' in answer) {
      // A 200 without an offer: srf has ACKed it into a dialog we cannot bridge.
      call.agent = answer;
      if (call.ended) return void calls.release(call);
      call.log.warn('the agent answered without an SDP offer');
      return void calls.end(call, 'failed');
    }
    call.agentOffer = answer;
    if (call.ended) return calls.release(call); // hung up while the 200 was on its way
    // ACK now, whatever the customer's ring time: an un-ACKed 200 makes the agent's device give up
    // after 32 s (Timer H), and until the ACK drachtio-server has no dialog to carry the agent's BYE.
    try {
      const acked = answer.ack(blackHoleAnswer(answer.sdp, String(Date.now()))); // sends the ACK now
      call.agentOffer = undefined; // ACKed: a hangup from here on BYEs the dialog below
      call.agent = await acked;
    } catch (err) {
      call.log.warn({ err: messageOf(err) }, 'could not ACK the agent\'s answer');
      return calls.end(call, 'failed');
    }
    calls.watch(call, call.agent, 'agent');
    if (call.ended) return calls.release(call);
    call.log.info('agent answered (ACKed on hold); INVITE to the customer');
    // Call-ID, caller ID (From, P-Asserted-Identity) and the trunk's credentials: sip.trunk.ts.
    const { trunk } = this.host;
    let localSdp: string;
    try {
      localSdp = await call.anchor.offer('agent', 'customer', answer.sdp); // rtpengine's ports, when anchored
    } catch (err) {
      call.log.warn({ err: messageOf(err) }, 'rtpengine did not take the agent\'s offer');
      return calls.end(call, 'failed');
    }
    if (call.ended) return calls.release(call);
    const opts: UacOptions = { ...customerInviteOptions(call.ref, call.request.callerId, trunk), localSdp };
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return;
      call.customerInvite = req;
      if (req.get('Call-ID') !== call.ref) call.log.warn({ sent: req.get('Call-ID') }, 'drachtio-server replaced our Call-ID on the customer leg');
      if (call.ended) void calls.release(call);
    };
    const onProvisional = (res: SrfMessage): void => {
      const fact = sipProgress(res.status);
      if (call.ended || fact?.kind !== 'ringing' || call.rang) return;
      call.rang = true;
      calls.report(call, fact);
    };
    calls.follow(call, this.host.srf().createUAC(call.customerUri, opts, { cbRequest: onRequest, cbProvisional: onProvisional }).then(
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
      void this.host.calls.end(call, 'no-answer');
    }, seconds * 1000);
    call.stopRinging = () => clearTimeout(timer);
    call.detach.push(call.stopRinging);
  }

  private async onCustomerAnswer(call: SipCall, customer: SrfDialog): Promise<void> {
    const { calls } = this.host;
    call.customer = customer;
    call.customerInvite = undefined;
    call.stopRinging?.();
    if (call.ended) return calls.release(call);
    calls.watch(call, customer, 'customer');
    try {
      await bridge(call, required(call.agent, 'agent'), customer);
    } catch (err) {
      if (call.ended) return; // a hangup during the re-INVITE has ended the call already
      call.log.warn({ err: messageOf(err), status: statusOf(err) }, 'could not bridge: the re-INVITE of the agent failed');
      return calls.end(call, 'failed');
    }
    if (call.ended) return;
    call.answered = true;
    call.log.info('customer answered; agent and customer bridged');
    calls.report(call, { kind: 'answered' });
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
    void this.host.calls.end(call, reason, failure);
  }
}
