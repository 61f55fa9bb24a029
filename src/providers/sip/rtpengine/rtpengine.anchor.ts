import type { NgClient, NgReplyBody } from './ng-client';
import { NgError } from './ng-client';

/** The two legs of a click-to-call, which are rtpengine's two call participants (their tags). */
export type Leg = 'agent' | 'customer';

/**
 * Where the SDP of one call goes on its way from one leg to the other. Through rtpengine, every
 * description a leg receives names rtpengine's ports, so both phones send their RTP to it; without
 * rtpengine (`direct`) the description passes unchanged and the phones send to each other.
 */
export interface CallAnchor {
  readonly anchored: boolean;
  /** The description to offer `to`, from the one `from` offered. */
  offer(from: Leg, to: Leg, sdp: string): Promise<string>;
  /** The description to answer `offerer` with, from the answer `answerer` gave to its offer. */
  answer(offerer: Leg, answerer: Leg, sdp: string): Promise<string>;
  /** The call is over: rtpengine forgets it and frees its ports. Never throws. */
  release(): Promise<void>;
}

export const direct: CallAnchor = {
  anchored: false,
  offer: async (_from, _to, sdp) => sdp,
  answer: async (_offerer, _answerer, sdp) => sdp,
  release: async () => undefined,
};

// Phones get plain RTP/AVP without ICE from rtpengine, and rtpengine's own origin and session
// address (our restamp then puts the o= line of the leg back, sip.mapper.ts).
const FLAGS = { ICE: 'remove', replace: ['origin', 'session-connection'], 'transport-protocol': 'RTP/AVP' };

function sdpOf(reply: NgReplyBody, command: string): string {
  if (typeof reply.sdp !== 'string') throw new NgError(`rtpengine's reply to "${command}" has no SDP`);
  return reply.sdp;
}

/**
 * One call's media in rtpengine, keyed by our call id (rtpengine's `call-id`) with one tag per
 * leg. rtpengine pairs an offer and its answer by the two tags, in either direction, so a
 * re-INVITE from the customer is `offer` from `customer` to `agent` just like the first offer the
 * other way round.
 */
export class RtpengineAnchor implements CallAnchor {
  readonly anchored = true;
  private offered = false;
  private released = false;

  constructor(private readonly ng: NgClient, readonly callId: string) {}

  async offer(from: Leg, to: Leg, sdp: string): Promise<string> {
    // The first offer has no answerer yet: rtpengine creates its side when the answer names it.
    const reply = await this.ng.command({ command: 'offer', 'call-id': this.callId, 'from-tag': from, 'to-tag': this.offered ? to : undefined, sdp, ...FLAGS });
    this.offered = true;
    // The call ended while rtpengine was creating it: nobody else will delete it.
    if (this.released) await this.delete();
    return sdpOf(reply, 'offer');
  }

  async answer(offerer: Leg, answerer: Leg, sdp: string): Promise<string> {
    const reply = await this.ng.command({ command: 'answer', 'call-id': this.callId, 'from-tag': offerer, 'to-tag': answerer, sdp, ...FLAGS });
    return sdpOf(reply, 'answer');
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.offered) await this.delete();
  }

  private async delete(): Promise<void> {
    // At once: the legs are BYEd, nothing of the call is left to come (rtpengine waits 30 s by default).
    await this.ng.command({ command: 'delete', 'call-id': this.callId, 'delete delay': 0 }).catch(() => undefined);
  }

  /**
   * A copy of what `leg` sends, to the gateway: rtpengine offers a sendonly description of that
   * leg's media (`subscribe request`), `answerFor` says where to send it, and `subscribe answer`
   * starts the forwarding. The subscription's tag, for `unsubscribe`.
   */
  async subscribe(leg: Leg, tag: string, answerFor: (offer: string) => string): Promise<void> {
    const reply = await this.ng.command({ command: 'subscribe request', 'call-id': this.callId, 'from-tag': leg, 'to-tag': tag, ...FLAGS });
    const offer = sdpOf(reply, 'subscribe request');
    await this.ng.command({ command: 'subscribe answer', 'call-id': this.callId, 'to-tag': tag, sdp: answerFor(offer), flags: ['allow transcoding'] });
  }

  async unsubscribe(tag: string): Promise<void> {
    await this.ng.command({ command: 'unsubscribe', 'call-id': this.callId, 'to-tag': tag }).catch(() => undefined);
  }
}
