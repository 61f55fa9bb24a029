import type { InboundResponse } from './sip-inbound';
import type { NgClient } from './rtpengine/ng-client';
import { holdingAnswer } from './rtpengine/domain/player-commands';
import type { SoundName, Sounds } from './rtpengine/domain/sounds';
import { RtpengineAnchor } from './rtpengine/rtpengine.anchor';
import { RtpenginePlayer } from './rtpengine/rtpengine.player';

/**
 * A waiting inbound caller's media while nobody has answered (RFC 3960, the gateway model): the
 * caller's offer goes through rtpengine, whose description answers the caller in a 183 Session
 * Progress, and rtpengine plays the greeting, then hold music, into the caller's leg. The call
 * stays unanswered (nothing is billed to the caller) until an agent is connected — rtpengine's
 * description for the agent then comes from the agent's real answer, and the 200 OK carries it —
 * or until voicemail answers it.
 */
export class EarlyMedia {
  private constructor(
    readonly anchor: RtpengineAnchor,
    private readonly player: RtpenginePlayer,
    private readonly sounds: Sounds,
    /** What the caller was told in the 183 (rtpengine's ports for the caller's leg). */
    readonly callerSdp: string,
  ) {}

  /**
   * Anchors the caller's offer in rtpengine (the agent's side answered by a placeholder, see
   * holdingAnswer), sends 183 with rtpengine's description and starts the greeting. Throws, with
   * nothing left in rtpengine, when rtpengine refuses or does not answer.
   */
  static async start(ng: NgClient, callId: string, callerOffer: string, sounds: Sounds, res: InboundResponse): Promise<EarlyMedia> {
    const anchor = new RtpengineAnchor(ng, callId);
    const player = new RtpenginePlayer(ng, callId, 'customer');
    try {
      const forAgent = await anchor.offer('customer', 'agent', callerOffer);
      const callerSdp = await anchor.answer('customer', 'agent', holdingAnswer(forAgent, String(Date.now())));
      res.send(183, { body: callerSdp, headers: { 'Content-Type': 'application/sdp' } });
      const early = new EarlyMedia(anchor, player, sounds, callerSdp);
      await early.resume();
      return early;
    } catch (error) {
      await anchor.release();
      throw error;
    }
  }

  /** The greeting, then hold music (again after an agent's device refused). */
  resume(): Promise<void> {
    return this.player.announceThenHold(this.sounds.greeting, this.sounds['hold-music']);
  }

  /** Silence: an agent is being connected, or voicemail takes the call. */
  pause(): Promise<void> {
    return this.player.stop();
  }

  /** The voicemail prompt and the beep, each played through; resolves after the beep (or once paused). */
  async promptForMessage(): Promise<void> {
    await this.player.playThrough(this.sounds['voicemail-prompt']);
    await this.player.playThrough(this.sounds.beep);
  }

  /** One of the deployment's sounds, once; resolves when it has been heard (or once paused: a key cut it short). */
  playThrough(name: SoundName): Promise<void> {
    return this.player.playThrough(this.sounds[name]);
  }

  /** The caller is gone (CANCEL, shutdown): the sounds stop and rtpengine forgets the call. */
  async release(): Promise<void> {
    await this.player.stop();
    await this.anchor.release();
  }
}
