import { blackHoleAnswer, mediaTargets, restamp } from './sip.mapper';
import { messageOf, statusOf, type SipCall, type SrfDialog, type SrfMessage, type SrfResponse } from './srf.types';

/**
 * The re-INVITEs between the two legs of a click-to-call. Every description passed from one leg
 * to the other goes under the origin we use on the receiving leg, version raised (`restamp`), so
 * each device sees one consistent peer (RFC 3264 §8).
 */

/** Runs one of our re-INVITEs; meanwhile a re-INVITE from either far end is glare (see relayReinvite). */
export async function renegotiating<T>(call: SipCall, step: () => Promise<T>): Promise<T> {
  call.renegotiating++;
  try {
    return await step();
  } finally {
    call.renegotiating--;
  }
}

/**
 * The customer (or a consultee, sip.consult.ts) answered: the agent's device is re-INVITEd with
 * that answer. If the agent answers from elsewhere than it last offered, the other leg is
 * re-INVITEd with that, so it sends its media there. Rejects when either re-INVITE fails.
 */
export function bridge(call: SipCall, agent: SrfDialog, other: SrfDialog): Promise<void> {
  if (call.anchor.anchored && other === call.customer) return bridgeThroughAnchor(call, agent, other);
  return renegotiating(call, async () => {
    const agentAnswer = await agent.modify(restamp(other.remote.sdp, agent.local.sdp));
    if (!call.ended && mediaTargets(agentAnswer).join() !== mediaTargets(other.local.sdp).join()) {
      await other.modify(restamp(agentAnswer, other.local.sdp));
    }
  });
}

/**
 * `bridge` with the media anchored in rtpengine: two offer/answer rounds of its call. The
 * customer's answer closes the agent's first offer; then the re-INVITE is the customer's offer to
 * the agent, and the agent's answer is what the customer would be re-INVITEd with (rtpengine keeps
 * the customer's ports, so it rarely is).
 */
function bridgeThroughAnchor(call: SipCall, agent: SrfDialog, customer: SrfDialog): Promise<void> {
  return renegotiating(call, async () => {
    await call.anchor.answer('agent', 'customer', customer.remote.sdp);
    const toAgent = await call.anchor.offer('customer', 'agent', customer.remote.sdp);
    const agentAnswer = await agent.modify(restamp(toAgent, agent.local.sdp));
    const toCustomer = await call.anchor.answer('customer', 'agent', agentAnswer);
    if (!call.ended && mediaTargets(toCustomer).join() !== mediaTargets(customer.local.sdp).join()) {
      await offerThrough(call, 'agent', 'customer', customer, agentAnswer);
    }
  });
}

/**
 * Offers `sdp` (a description of leg `from`) to the dialog of leg `to` by re-INVITE, through the
 * call's anchor both ways (rtpengine's ports, or unchanged); the description to answer `from` with.
 */
export async function offerThrough(call: SipCall, from: 'agent' | 'customer', to: 'agent' | 'customer', dialog: SrfDialog, sdp: string): Promise<string> {
  const offer = await call.anchor.offer(from, to, sdp);
  const theirs = await dialog.modify(restamp(offer, dialog.local.sdp));
  return call.anchor.answer(from, to, theirs);
}

/** A leg of the call: its own two, and a colleague being consulted (sip.consult.ts). */
export type Side = 'agent' | 'customer' | 'consultee';

/**
 * Whom a side's media goes to: the agent and the customer to each other, except while the agent
 * consults (the agent bridged with the consultee, the customer holding with no one).
 */
export function peerOf(call: SipCall, side: Side): SrfDialog | undefined {
  const consulting = call.consultee?.bridged ? call.consultee.dialog : undefined;
  switch (side) {
    case 'agent': return consulting ?? call.customer;
    case 'customer': return consulting ? undefined : call.agent;
    case 'consultee': return consulting ? call.agent : undefined;
  }
}

/**
 * A re-INVITE from one side (hold, resume, media moving) is offered to the other side, and the
 * other side's answer is the answer, so directions and addresses are the real ones on both legs.
 * While one of our own re-INVITEs is in flight on the call, the far end's is glare: 491 (RFC 3261
 * §14.2), and it retries.
 */
export async function relayReinvite(call: SipCall, from: Side, req: SrfMessage, res: SrfResponse): Promise<void> {
  const here = from === 'consultee' ? call.consultee?.dialog : call[from];
  const there = peerOf(call, from);
  if (call.ended || !here) return res.send(481);
  if (call.renegotiating > 0) return res.send(491);
  const answer = (body: string): void => {
    here.local.sdp = body;
    res.send(200, { body, headers: { 'Content-Type': 'application/sdp', ...(here.local.contact ? { Contact: here.local.contact } : {}) } });
  };
  // An offer-less re-INVITE asks for our description: the one we last gave.
  if (!req.body) return answer(here.local.sdp);
  // The agent, on hold while the customer rings, stays on hold whatever it offers; so does the
  // customer while the agent consults (sip.consult.ts), and a consultee not yet talking.
  if (!there || !call.answered) return answer(restamp(blackHoleAnswer(req.body, '0'), here.local.sdp));
  try {
    // Between the agent and the customer through the anchor; a consultee's media is not anchored.
    const anchored = (from === 'agent' && there === call.customer) || (from === 'customer' && there === call.agent);
    const theirs = await renegotiating(call, () => (anchored
      ? offerThrough(call, from as 'agent' | 'customer', from === 'agent' ? 'customer' : 'agent', there, req.body)
      : there.modify(restamp(req.body, there.local.sdp))));
    answer(restamp(theirs, here.local.sdp));
    call.log.info({ from }, 're-INVITE relayed to the other leg');
  } catch (err) {
    const status = statusOf(err);
    call.log.warn({ from, status, err: messageOf(err) }, 'the other leg refused the relayed re-INVITE');
    res.send(status !== undefined && status >= 400 && status < 700 ? status : 500);
  }
}

/**
 * Follows one leg's dialog: its BYE (`destroy`) runs `onBye`, its re-INVITEs are relayed to the
 * other side, and a session refresh is answered by srf itself (RFC 4028: the same SDP version;
 * srf does so only when a 'refresh' listener exists). Returns what stops following it.
 */
export function followDialog(call: SipCall, side: Side, dialog: SrfDialog, onBye: () => void): () => void {
  const onModify = (req: SrfMessage, res: SrfResponse): void => void relayReinvite(call, side, req, res);
  const onRefresh = (): void => undefined;
  dialog.on('destroy', onBye);
  dialog.on('modify', onModify);
  dialog.on('refresh', onRefresh);
  return () => {
    dialog.off('destroy', onBye);
    dialog.off('modify', onModify);
    dialog.off('refresh', onRefresh);
  };
}
