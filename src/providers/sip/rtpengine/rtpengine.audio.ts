import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallAudioSink, StopAudio } from '../../call-media.port';
import { TRACKS } from '../../../media/domain/pcm';
import { subscriptionAnswer, telephoneEventTypes } from './domain/subscription-sdp';
import type { RtpengineAnchor } from './rtpengine.anchor';
import { RtpReceiver } from './rtp-receiver';

/**
 * A call's live audio out of rtpengine: one media subscription per leg (the customer's track is
 * what the customer's phone sends, the agent's what the agent's sends), each answered with an RTP
 * socket of the gateway's (rtp-receiver.ts) on `address`. The subscriptions are removed on stop.
 */
export async function listenThroughRtpengine(anchor: RtpengineAnchor, address: string, sink: CallAudioSink, log: Logger): Promise<StopAudio> {
  const receiver = await RtpReceiver.open(address, sink);
  const id = randomBytes(4).toString('hex');
  const tags = TRACKS.map((track) => ({ track, tag: `listen-${track}-${id}` }));
  const stop = async (): Promise<void> => {
    receiver.stop();
    await Promise.all(tags.map(({ tag }) => anchor.unsubscribe(tag)));
    log.info({ packets: Object.fromEntries(TRACKS.map((t) => [t, receiver.packets(t)])) }, 'live audio from rtpengine stopped');
  };
  try {
    for (const { track, tag } of tags) {
      await anchor.subscribe(track, tag, (offer) => {
        receiver.eventTypes(track, telephoneEventTypes(offer));
        return subscriptionAnswer(offer, address, receiver.port(track), String(Date.now()));
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  receiver.start();
  log.info({ address, ports: TRACKS.map((t) => receiver.port(t)) }, 'live audio from rtpengine started');
  return stop;
}
