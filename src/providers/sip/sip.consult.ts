import type { LegFact, ParticipantRole } from '../../calls/participants/domain/participant';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import type { LegChange, ParticipantControl, ParticipantDial, ParticipantReport, ParticipantReportSink } from '../voice-participants.port';
import { VoiceProviderError, type CallHandle } from '../voice-provider.port';
import { directionOf, endpointUri, mediaTargets, restamp, sipEndReason, withDirection } from './sip.mapper';
import { bridge, followDialog, renegotiating } from './sip.reinvite';
import { trunkAuth, type Trunk } from './sip.trunk';
import {
  messageOf, required, statusOf,
  type ConsulteeLeg, type SipCall, type SrfClient, type SrfDialog, type SrfMessage, type SrfRequest,
} from './srf.types';

/** What the consultation needs of the SIP voice provider that owns the calls (sip.voice.ts). */
export interface ConsultHost {
  /** The call in progress, or a VoiceProviderError. */
  live(handle: CallHandle): SipCall;
  srf(): SrfClient;
  trunk: Trunk;
  /** Watches a dialog as the call's agent leg: its BYE ends the call, its re-INVITEs are relayed. */
  adoptAgent(call: SipCall, dialog: SrfDialog): void;
}

const MIXER = 'needs an audio mixer, which SIP through drachtio does not have (over SIP an agent can consult, complete and cancel)';
const SEND_TIMEOUT_MS = 10_000; // as for the agent's INVITE: drachtio-server confirms a sent request at once
/**
 * The participants service stores a new party after `dial()` returns; a 180 or 200 can come back
 * sooner. A fact about a party it does not know yet is offered again, a few times.
 */
const REPORT_RETRIES = 8;
const REPORT_RETRY_MS = 100;

/**
 * Warm transfer over SIP by third-party call control: moving media between dialogs with
 * re-INVITEs needs no mixer, so an agent can consult one colleague at a time while the customer
 * holds; merging, added parties and supervision need a mixer and are refused (`unsupported`).
 *
 * - consult: the service holds the customer first (the call's own hold: a re-INVITE, inactive);
 *   `dial` INVITEs the consultee with the agent's media; when the consultee answers, the agent is
 *   re-INVITEd with the consultee's answer (`bridge`), and the two talk. A consultee that is
 *   busy, declines or does not answer within the call's ring timeout (CANCELled) leaves; the
 *   agent keeps the customer on hold.
 * - complete (`remove` of the agent): the customer is re-INVITEd with the consultee's media (still
 *   held: the call's resume follows), the consultee with the customer's, the agent is BYEd; the
 *   consultee's dialog becomes the call's agent leg (its BYE ends the call, it may consult too).
 * - cancel (`remove` of the consultee): CANCEL or BYE, then the agent is re-INVITEd with the
 *   customer's media (and the customer with the agent's, if the agent's address moved).
 *
 * While the agent consults, re-INVITEs go between agent and consultee; the customer's own are
 * answered on hold (sip.reinvite.ts). The customer's hold and resume stay the call's commands.
 */
export class SipConsultation implements ParticipantControl {
  private sink?: ParticipantReportSink;

  constructor(private readonly host: ConsultHost) {}

  connect(sink: ParticipantReportSink): void {
    this.sink = sink;
  }

  /** Resolves once drachtio-server has sent the INVITE to the consultee; its answer is reported. */
  async dial(handle: CallHandle, party: ParticipantDial): Promise<void> {
    if (party.role !== 'consultee' || party.mode !== 'private') {
      throw new VoiceProviderError(`bringing in a ${party.role} (${party.mode}) ${MIXER}`, true);
    }
    const call = this.host.live(handle);
    // Its legs' descriptions pass through rtpengine's two-party call; a third leg there is not built.
    if (call.anchor.anchored) throw new VoiceProviderError('consulting on a call whose media is anchored in rtpengine is not built yet', true);
    if (call.consultee) throw new VoiceProviderError('a consultation is already under way on this call');
    const agent = required(call.agent, 'agent');
    const uri = endpointUri(party.to, this.host.trunk.uri, 'consultee');
    const leg: ConsulteeLeg = { participantId: party.participantId, bridged: false, released: false, timedOut: false, detach: [], reports: Promise.resolve() };
    call.consultee = leg;
    let sent!: () => void;
    let failed!: (err: unknown) => void;
    const invited = new Promise<void>((resolve, reject) => { sent = resolve; failed = reject; });
    let rang = false;
    const onRequest = (err: Error | null, req?: SrfRequest): void => {
      if (err || !req) return failed(err);
      leg.invite = req;
      if (leg.released) void cancel(req).catch(() => undefined); // went out after dial() gave up
      sent();
    };
    const onProvisional = (res: SrfMessage): void => {
      if ((res.status !== 180 && res.status !== 183) || rang || leg.released) return;
      rang = true;
      this.report(call, leg, { kind: 'ringing' });
    };
    // The consultee is offered the agent's media as the agent last described it, sending and receiving.
    const offer = withDirection(agent.remote.sdp, 'sendrecv');
    const auth = trunkAuth(uri, this.host.trunk);
    this.host.srf().createUAC(uri, { localSdp: offer, callingNumber: party.callerId, auth }, { cbRequest: onRequest, cbProvisional: onProvisional }).then(
      (dialog) => this.onAnswer(call, leg, dialog as SrfDialog),
      (err: unknown) => (leg.invite || leg.released ? this.onFailure(call, leg, err) : failed(err)),
    ).catch((err: unknown) => call.log.error({ err: messageOf(err) }, 'the consultation failed'));
    const timer = setTimeout(() => failed(new Error(`no word from drachtio-server in ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
    try {
      await invited;
    } catch (err) {
      leg.released = true;
      this.forget(call, leg);
      throw new VoiceProviderError(`drachtio-server did not send the INVITE to the consultee: ${messageOf(err)}`);
    } finally {
      clearTimeout(timer);
    }
    call.log.info({ participantId: party.participantId }, 'INVITE sent to the consultee');
    if (call.consultee !== leg || leg.dialog) return; // already answered, or gone
    const seconds = call.request.ringTimeoutSeconds ?? RING_TIMEOUT_LIMITS.default;
    const ring = setTimeout(() => {
      if (!leg.invite || leg.released) return;
      call.log.info({ seconds }, 'the consultee did not answer in time; cancelling');
      leg.timedOut = true;
      void cancel(leg.invite).catch(() => undefined);
    }, seconds * 1000);
    ring.unref();
    leg.detach.push(() => clearTimeout(ring));
  }

  /** Only completing a consultation changes a leg's mode over SIP; it has already moved the media. */
  async update(handle: CallHandle, ref: string, role: ParticipantRole, change: LegChange): Promise<void> {
    const call = this.host.live(handle);
    if (role === 'consultee' && change.mode === 'talk' && change.hold === undefined && call.agentRef === ref) return;
    const what = role === 'consultee' && change.mode === 'talk' ? 'merging a consultation into a three-way call' : `changing a ${role}'s leg`;
    throw new VoiceProviderError(`${what} ${MIXER}`, true);
  }

  /** The consultee: cancel the consultation. The agent: complete it (hand the customer over). */
  async remove(handle: CallHandle, ref: string, role: ParticipantRole): Promise<void> {
    const call = this.host.live(handle);
    if (role === 'consultee') return this.cancel(call, ref);
    if (role === 'agent' && ref === (call.agentRef ?? 'agent') && call.consultee) return this.handOver(call, call.consultee);
    throw new VoiceProviderError(`removing a ${role} from a call of more than two parties ${MIXER}`, true);
  }

  // ── The steps ───────────────────────────────────────────────────────────────────────────────

  private async onAnswer(call: SipCall, leg: ConsulteeLeg, dialog: SrfDialog): Promise<void> {
    leg.invite = undefined;
    if (leg.released || call.ended) {
      await dialog.destroy().catch(() => undefined); // cancelled, or the call ended, as the 200 came
      return;
    }
    leg.dialog = dialog;
    this.watch(call, leg, dialog);
    try {
      await bridge(call, required(call.agent, 'agent'), dialog);
    } catch (err) {
      if (leg.released || call.ended) return;
      call.log.warn({ err: messageOf(err), status: statusOf(err) }, 'could not bridge the agent with the consultee');
      leg.released = true;
      this.forget(call, leg);
      await dialog.destroy().catch(() => undefined);
      await this.reconnect(call).catch((e: unknown) => call.log.warn({ err: messageOf(e) }, 'could not return the agent to the customer'));
      return this.report(call, leg, { kind: 'ended', reason: 'failed' });
    }
    if (leg.released || call.ended) return;
    leg.bridged = true;
    call.log.info({ participantId: leg.participantId }, 'the consultee answered; agent and consultee bridged, the customer holds');
    this.report(call, leg, { kind: 'answered' });
  }

  /** A final failure of the consultee's INVITE: busy, declined, no answer (our CANCEL after the ring timeout). */
  private onFailure(call: SipCall, leg: ConsulteeLeg, err: unknown): void {
    leg.invite = undefined;
    this.forget(call, leg);
    if (leg.released || call.ended) return;
    const status = statusOf(err);
    const reason = leg.timedOut ? 'no-answer' : sipEndReason(status ?? 500);
    call.log.info({ status, reason }, 'the consultee did not take the call; the customer stays on hold with the agent');
    this.report(call, leg, { kind: 'ended', reason });
  }

  private async cancel(call: SipCall, ref: string): Promise<void> {
    const leg = call.consultee;
    if (!leg || leg.participantId !== ref) return; // gone already: its end was reported
    leg.released = true;
    this.forget(call, leg);
    await releaseLeg(call, leg);
    if (!leg.bridged) return; // the agent never left the customer's media
    try {
      await this.reconnect(call);
    } catch (err) {
      throw new VoiceProviderError(`the consultee was released but the agent could not be returned to the customer: ${messageOf(err)}`);
    }
    call.log.info('consultation cancelled; agent and customer reconnected');
  }

  private async handOver(call: SipCall, leg: ConsulteeLeg): Promise<void> {
    const consultee = leg.dialog;
    if (!leg.bridged || !consultee) throw new VoiceProviderError('the consultee has not answered yet');
    const customer = required(call.customer, 'customer');
    const agent = required(call.agent, 'agent');
    try {
      await renegotiating(call, async () => {
        // The customer is still held (the call's resume follows): it gets the consultee's address, not yet their voice.
        const held = directionOf(customer.local.sdp);
        const customerAnswer = await customer.modify(restamp(withDirection(consultee.remote.sdp, held), customer.local.sdp));
        const consulteeAnswer = await consultee.modify(restamp(withDirection(customerAnswer, 'sendrecv'), consultee.local.sdp));
        if (mediaTargets(consulteeAnswer).join() !== mediaTargets(customer.local.sdp).join()) {
          await customer.modify(restamp(withDirection(consulteeAnswer, held), customer.local.sdp));
        }
      });
    } catch (err) {
      throw new VoiceProviderError(`the customer could not be handed over to the consultee: ${messageOf(err)}`);
    }
    this.forget(call, leg);
    // The agent's device goes: none of its events may touch the call from here on.
    agent.removeAllListeners();
    call.agent = consultee;
    call.agentRef = leg.participantId;
    this.host.adoptAgent(call, consultee);
    await agent.destroy().catch((err: unknown) => call.log.debug({ err: messageOf(err) }, 'the BYE to the agent failed (already gone?)'));
    call.log.info({ participantId: leg.participantId }, 'consultation completed: customer and consultee bridged, agent released');
  }

  /** The agent back on the customer's media (and the customer on the agent's, if it moved). */
  private reconnect(call: SipCall): Promise<void> {
    const agent = required(call.agent, 'agent');
    const customer = required(call.customer, 'customer');
    return renegotiating(call, async () => {
      const agentAnswer = await agent.modify(restamp(withDirection(customer.remote.sdp, 'sendrecv'), agent.local.sdp));
      if (!call.ended && mediaTargets(agentAnswer).join() !== mediaTargets(customer.local.sdp).join()) {
        await customer.modify(restamp(withDirection(agentAnswer, directionOf(customer.local.sdp)), customer.local.sdp));
      }
    });
  }

  private watch(call: SipCall, leg: ConsulteeLeg, dialog: SrfDialog): void {
    const onBye = (): void => {
      leg.dialog = undefined;
      this.forget(call, leg);
      if (leg.released || call.ended) return;
      call.log.info('the consultee hung up; the customer stays on hold with the agent');
      const back = leg.bridged ? this.reconnect(call) : Promise.resolve();
      void back.catch((err: unknown) => call.log.warn({ err: messageOf(err) }, 'could not return the agent to the customer'));
      this.report(call, leg, { kind: 'ended', reason: 'completed' });
    };
    leg.detach.push(followDialog(call, 'consultee', dialog, onBye));
  }

  /** The leg is no longer the call's consultation: its listeners and timer go. */
  private forget(call: SipCall, leg: ConsulteeLeg): void {
    for (const detach of leg.detach.splice(0)) detach();
    if (call.consultee === leg) call.consultee = undefined;
  }

  private report(call: SipCall, leg: ConsulteeLeg, fact: LegFact): void {
    const report: ParticipantReport = { provider: 'sip', callId: call.callId, participantId: leg.participantId, fact };
    leg.reports = leg.reports.then(async () => {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.sink?.(report);
        if (outcome !== 'unknown' || attempt > REPORT_RETRIES) return;
        await new Promise((resolve) => setTimeout(resolve, REPORT_RETRY_MS * attempt));
      }
    }).catch((err: unknown) => call.log.error({ err: messageOf(err), fact }, 'the participant report was not taken'));
  }
}

/** The call is ending: its consultee goes with it (CANCEL or BYE), unreported (every party leaves with the call). */
export function releaseConsultee(call: SipCall): Promise<void> {
  const leg = call.consultee;
  if (!leg) return Promise.resolve();
  call.consultee = undefined;
  leg.released = true;
  for (const detach of leg.detach.splice(0)) detach();
  return releaseLeg(call, leg);
}

async function releaseLeg(call: SipCall, leg: ConsulteeLeg): Promise<void> {
  const { invite, dialog } = leg;
  leg.invite = undefined;
  leg.dialog = undefined;
  try {
    if (invite) await cancel(invite);
    if (dialog) await dialog.destroy();
  } catch (err) {
    call.log.debug({ err: messageOf(err) }, 'releasing the consultee failed (already gone?)');
  }
}

function cancel(invite: SrfRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => invite.cancel((err) => (err ? reject(err) : resolve())));
}
