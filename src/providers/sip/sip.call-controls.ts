import { VoiceProviderError, type CallHandle } from '../voice-provider.port';
import type { SipCalls } from './sip.calls';
import { endpointUri, withDirection, type SdpDirection } from './sip.mapper';
import { offerThrough, renegotiating } from './sip.reinvite';
import { messageOf, required, type SipCall, type SrfDialog, type SrfMessage } from './srf.types';

const DTMF = /^[0-9*#A-Dw,]{1,64}$/;
const PAUSE_MS = 500; // `w` and `,` in a digit string, as Twilio reads them

/**
 * What can be done to a call in progress, placed or inbound, in its dialogs: a direction change
 * by re-INVITE (hold, mute), digits as INFO, a blind transfer by REFER.
 */
export class SipCallControls {
  constructor(private readonly calls: SipCalls, private readonly trunkUri: string) {}

  async reinvite(handle: CallHandle, side: 'agent' | 'customer', direction: SdpDirection): Promise<void> {
    const call = this.calls.live(handle);
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

  /** One INFO (`application/dtmf-relay`) per digit on the customer leg; `w` and `,` pause 0.5 s. */
  async sendDtmf(handle: CallHandle, digits: string): Promise<void> {
    if (!DTMF.test(digits)) throw new VoiceProviderError(`digits must match [0-9*#A-Dw,]{1,64} (got "${digits}")`);
    const call = this.calls.live(handle);
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
    const call = this.calls.live(handle);
    const target = endpointUri(to, this.trunkUri, 'transfer target');
    const res = await this.inDialog(call, { method: 'REFER', headers: { 'Refer-To': `<${target}>` } });
    call.log.info({ status: res.status }, 'customer referred to the transfer target');
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
}
