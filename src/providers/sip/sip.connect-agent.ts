import type { CallHandle } from '../voice-provider.port';
import { direct, RtpengineAnchor } from './rtpengine/rtpengine.anchor';
import type { SipInbound } from './sip-inbound';
import type { CallSetup } from './sip.calls';
import { endpointUri, restamp } from './sip.mapper';
import type { SipCall, SrfDialog } from './srf.types';

/**
 * Inbound: the agent answered on the console. Their device is INVITEd with the waiting caller's
 * offer and the caller answered with the device's answer; from then on the call is one of ours
 * like a placed one (hold, mute, DTMF, transfer, BYE from either side).
 */
export async function connectAgent(setup: CallSetup, inbound: SipInbound, handle: CallHandle, agentEndpoint: string, callerId: string): Promise<void> {
  const srf = setup.srf();
  const agentUri = endpointUri(agentEndpoint, setup.trunk.uri);
  // Anchored: the caller's offer reaches the device as rtpengine's, the device's answer the caller likewise.
  // A caller hearing early media is in rtpengine already: that call goes on, with the agent's real answer.
  const early = await inbound.earlyMedia(handle.providerRef);
  const anchor = early?.anchor ?? (setup.rtpengine ? new RtpengineAnchor(setup.rtpengine, handle.callId) : direct);
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
    legs = await inbound.connect(handle.providerRef, agentUri, (req, res, uri, opts) => srf.createB2BUA(req, res, uri, opts), media);
  } catch (err) {
    if (!early) await anchor.release(); // the caller waits on, for another agent: a new offer then (early media plays on)
    throw err;
  }
  const { uas, uac } = legs;
  const call: SipCall = {
    callId: handle.callId, ref: handle.providerRef, customerUri: '',
    request: { callId: handle.callId, to: '', agentEndpoint, callerId, callbacks: undefined as never },
    log: setup.logger.child({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, direction: 'inbound' }),
    invited: true, answered: true, rang: true, ended: false, renegotiating: 0, reports: Promise.resolve(), detach: [],
    customer: uas, agent: uac, anchor, audio: new Set(),
  };
  setup.calls.add(call);
  setup.calls.watch(call, uas, 'customer');
  setup.calls.watch(call, uac, 'agent');
  call.log.info('inbound caller connected to the agent');
}
