import type { CallAudioSink, StopAudio } from '../call-media.port';
import type { CallHandle } from '../voice-provider.port';

/** Sends one live call control change of a call (`PUT …/Calls/{sid}`). */
export type UpdateCall = (call: CallHandle, change: Record<string, unknown>, what: string) => Promise<void>;

/**
 * A call's audio on jambonz: the `listen` nested in the dial (jambonz-listen.ts) runs from the
 * agent's answer to the dial's end, so starting and stopping the gateway's feed is
 * `listen_status: resume` / `pause` (jambonz's forkAudioResume/Pause: the socket stays open,
 * audio stops flowing). The audio arrives at the listen endpoint whether or not someone asked
 * before the first stop; with nobody listening it is dropped there.
 *
 * The changes of one call are sent one after the other, each with the state wanted when it is
 * sent: a stop and a start racing (a last listener leaving as a new one arrives) end in the state
 * asked last, whatever order jambonz would have received two concurrent requests in.
 */
export class JambonzListenSwitch {
  private readonly calls = new Map<string, { wanted: boolean; queue: Promise<void>; pending: number }>();

  constructor(private readonly update: UpdateCall) {}

  async startAudio(call: CallHandle, _sink: CallAudioSink): Promise<StopAudio> {
    await this.want(call, true);
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      // The call may be over already, and its listen with it.
      await this.want(call, false).catch(() => undefined);
    };
  }

  private want(call: CallHandle, on: boolean): Promise<void> {
    let state = this.calls.get(call.callId);
    if (!state) this.calls.set(call.callId, state = { wanted: on, queue: Promise.resolve(), pending: 0 });
    state.wanted = on;
    state.pending += 1;
    const owner = state;
    const sent = owner.queue.then(() => this.update(call, { listen_status: owner.wanted ? 'resume' : 'pause' }, on ? 'start the call\'s audio' : 'stop the call\'s audio'));
    owner.queue = sent.catch(() => undefined).finally(() => {
      owner.pending -= 1;
      if (owner.pending === 0 && this.calls.get(call.callId) === owner) this.calls.delete(call.callId);
    });
    return sent;
  }
}
