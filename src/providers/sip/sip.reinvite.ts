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
 * The customer answered: the agent's device, on hold since its ACK, is re-INVITEd with the
 * customer's answer. If it answers from elsewhere than it first offered, the customer is
 * re-INVITEd with that, so it sends its media there. Rejects when either re-INVITE fails.
 */
export function bridge(call: SipCall, agent: SrfDialog, customer: SrfDialog): Promise<void> {
  return renegotiating(call, async () => {
    const agentAnswer = await agent.modify(restamp(customer.remote.sdp, agent.local.sdp));
    if (!call.ended && mediaTargets(agentAnswer).join() !== mediaTargets(customer.local.sdp).join()) {
      await customer.modify(restamp(agentAnswer, customer.local.sdp));
    }
  });
}

/**
 * A re-INVITE from one side (hold, resume, media moving) is offered to the other side, and the
 * other side's answer is the answer, so directions and addresses are the real ones on both legs.
 * While one of our own re-INVITEs is in flight on the call, the far end's is glare: 491 (RFC 3261
 * §14.2), and it retries.
 */
export async function relayReinvite(call: SipCall, from: 'agent' | 'customer', req: SrfMessage, res: SrfResponse): Promise<void> {
  const here = call[from];
  const there = from === 'agent' ? call.customer : call.agent;
  if (call.ended || !here) return res.send(481);
  if (call.renegotiating > 0) return res.send(491);
  const answer = (body: string): void => {
    here.local.sdp = body;
    res.send(200, { body, headers: { 'Content-Type': 'application/sdp', ...(here.local.contact ? { Contact: here.local.contact } : {}) } });
  };
  // An offer-less re-INVITE asks for our description: the one we last gave.
  if (!req.body) return answer(here.local.sdp);
  // The agent, on hold while the customer rings, stays on hold whatever it offers.
  if (!there || !call.answered) return answer(restamp(blackHoleAnswer(req.body, '0'), here.local.sdp));
  try {
    const theirs = await renegotiating(call, () => there.modify(restamp(req.body, there.local.sdp)));
    answer(restamp(theirs, here.local.sdp));
    call.log.info({ from }, 're-INVITE relayed to the other leg');
  } catch (err) {
    const status = statusOf(err);
    call.log.warn({ from, status, err: messageOf(err) }, 'the other leg refused the relayed re-INVITE');
    res.send(status !== undefined && status >= 400 && status < 700 ? status : 500);
  }
}
