import type jambonz from '@jambonz/node-client';
import type { ParticipantMode, ParticipantRole } from '../../calls/participants/domain/participant';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { LegChange, ParticipantControl, ParticipantDial } from '../voice-participants.port';
import { VoiceProviderError, type CallHandle } from '../voice-provider.port';
import { CONFERENCE_JOIN_PATH, memberChanges, PARTY_STATUS_PATH } from './jambonz-conference.mapper';
import { jambonzTarget } from './jambonz-voice.mapper';

/** How long the gateway waits for both legs of a call to be in its conference once it moved them. */
const JOIN_TIMEOUT_MS = 10_000;

/**
 * What the call's stored `refs` keep of its conference (written by the join hook through
 * CallCallbackReceiver.rememberRefs): that it was moved, the agent's leg, each party's leg.
 */
export const jambonzRefs = {
  conference: 'conference',
  agentLeg: 'agentLeg',
  party: (participantId: string) => `leg:${participantId}`,
} as const;

/** What this gateway instance knows of one call's legs in its conference: their call_sids and who joined. */
class CallLegs {
  agent?: string;
  readonly parties = new Map<string, string>();
  readonly joined = new Set<string>();
  /** Legs that joined to whisper: jambonz joins them muted and leaves them so (see `member`). */
  readonly whisperers = new Set<string>();
  /** Settled once the customer's and the agent's legs are both in the conference. */
  moved?: Promise<void>;
  private waiter?: () => void;

  constructor(readonly customer: string) {}

  get ready(): boolean {
    return this.joined.has(this.customer) && this.agent !== undefined && this.joined.has(this.agent);
  }

  /** Resolves when ready, or rejects after `ms`. */
  whenReady(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new VoiceProviderError('jambonz did not bring the call’s legs into its conference in time'));
      }, ms);
      timer.unref();
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve();
      };
      this.check();
    });
  }

  check(): void {
    if (this.ready) this.waiter?.();
  }
}

type Client = ReturnType<typeof jambonz>;

/**
 * Parties beyond the call's two, over jambonz: the call's legs are moved into a conference named
 * after the call the first time more than two parties (or a hold) are needed. One live call
 * control request redirects both legs of the call's `dial` (`call_hook` for the customer's,
 * `child_call_hook` for the agent's); each leg's hook answers with the `conference` verb
 * (jambonz-conference.mapper.ts). Dialled parties are new calls (`POST …/Calls`) whose call_hook
 * answers the same verb; every leg is then controlled by its own call_sid.
 *
 * jambonz addresses legs by call_sid only. The customer's is the call's own (stored); a dialled
 * party's comes back from `POST …/Calls`, and the agent's leg is known when jambonz fetches its
 * hook. The instance that moves the call keeps them and waits for both legs' `join`; the join
 * hooks also store them in the call's refs (`jambonzRefs`), so after a restart a command finds
 * them there. The wait itself is the moving instance's: the conference's hooks must reach it
 * (README "Voice: more than two parties").
 */
export class JambonzParticipants implements ParticipantControl {
  private readonly calls = new Map<string, CallLegs>();

  constructor(
    private readonly client: Client,
    private readonly accountSid: string,
    private readonly callbacks: CallbackUrls,
    private readonly joinTimeoutMs = JOIN_TIMEOUT_MS,
    /** `application_sid` for every call created, when configured (JambonzSettings.applicationSid). */
    private readonly application: { application_sid?: string } = {},
  ) {}

  connect(): void {
    // jambonz reports each party's leg through its call_status_hook (JambonzParticipantsWebhooksController).
  }

  async dial(call: CallHandle, party: ParticipantDial): Promise<void> {
    const legs = await this.conference(call);
    const seat = { cid: call.callId, pid: party.participantId, mode: party.mode, ...(party.mode === 'whisper' ? { coach: party.coach ?? 'agent' } : {}) };
    const sid = await this.attempt('dial the party', () => this.client.calls.create({
      ...this.application,
      from: party.callerId,
      to: jambonzTarget(party.to),
      call_hook: { url: party.callbacks.url(CONFERENCE_JOIN_PATH, seat), method: 'POST' },
      call_status_hook: { url: party.callbacks.url(PARTY_STATUS_PATH, { cid: call.callId, pid: party.participantId }), method: 'POST' },
      tag: { callId: call.callId, participantId: party.participantId },
    }));
    if (typeof sid !== 'string' || !sid) throw new VoiceProviderError('jambonz answered without a call sid');
    legs.parties.set(party.participantId, sid);
  }

  async update(call: CallHandle, ref: string, _role: ParticipantRole, change: LegChange): Promise<void> {
    const requests = memberChanges(change);
    if (requests.length === 0) return;
    const sid = this.sidOf(call, await this.conference(call), ref);
    for (const body of requests) await this.attempt('update the participant', () => this.control(sid, body));
  }

  /** Hangs up the leg: `completed` once answered; a leg still ringing is cancelled (`no-answer`). */
  async remove(call: CallHandle, ref: string, _role: ParticipantRole): Promise<void> {
    const legs = await this.conference(call);
    const sid = this.sidOf(call, legs, ref);
    try {
      await this.control(sid, { call_status: 'completed' });
    } catch (error) {
      // jambonz answers 422 to `completed` for a leg with no dialog yet (still ringing).
      if ((error as { statusCode?: number }).statusCode !== 422) throw this.failure('remove the participant', error);
      await this.attempt('remove the participant', () => this.control(sid, { call_status: 'no-answer' }));
    }
    legs.parties.delete(ref);
  }

  /** The call's own hold: the customer's member held (muted and deaf) in the call's conference. */
  hold(call: CallHandle, hold: boolean): Promise<void> {
    return this.update(call, 'customer', 'customer', { hold });
  }

  /** The agent's leg's call_sid once the call is in its conference (the mute goes to it then). */
  agentLeg(callId: string): string | undefined {
    const legs = this.calls.get(callId);
    return legs?.ready ? legs.agent : undefined;
  }

  /** jambonz fetched a leg's conference hook (signed for `callId`, `ref` and `mode`): its call_sid is known now. */
  hooked(callId: string, ref: string, callSid: string, mode: ParticipantMode): void {
    const legs = this.calls.get(callId);
    if (!legs || ref === 'customer') return;
    if (ref === 'agent') legs.agent = callSid;
    else legs.parties.set(ref, callSid);
    if (mode === 'whisper') legs.whisperers.add(callSid);
    legs.check();
  }

  /**
   * The conference's statusHook: a member joined or left. The customer leaving ends the
   * conference. A member that joined with `speakOnlyTo` is joined muted by jambonz's conference
   * verb, which means to unmute it once coaching is set up and does not: the gateway unmutes it.
   */
  async member(callId: string, event: 'join' | 'leave', callSid: string): Promise<void> {
    const legs = this.calls.get(callId);
    if (!legs) return;
    if (event === 'leave' && callSid === legs.customer) {
      this.calls.delete(callId);
      return;
    }
    if (event === 'join') legs.joined.add(callSid);
    else legs.joined.delete(callSid);
    legs.check();
    if (event === 'join' && legs.whisperers.delete(callSid)) {
      // The hook is answered either way; should this fail, the whisperer only listens, like a monitor.
      await this.control(callSid, { mute_status: 'unmute' }).catch(() => undefined);
    }
  }

  /** Whether this gateway moved the call's legs into its conference (and it has not ended). */
  inConference(callId: string): boolean {
    return this.calls.has(callId);
  }

  /** The call ended or left the conference (a blind transfer): what was known of its legs goes. */
  forget(callId: string): void {
    this.calls.delete(callId);
  }

  /** The call's legs in its conference, moving them there first (once; concurrent commands share the move). */
  private async conference(call: CallHandle): Promise<CallLegs> {
    let legs = this.calls.get(call.callId) ?? this.restored(call);
    if (!legs) {
      const fresh = new CallLegs(call.providerRef);
      legs = fresh;
      this.calls.set(call.callId, fresh);
      fresh.moved = this.move(call, fresh).catch((error: unknown) => {
        this.calls.delete(call.callId);
        throw error;
      });
    }
    await legs.moved;
    return legs;
  }

  /**
   * A call this instance did not move (it restarted since): its legs as the call's refs remember
   * them. Both were in the conference when the agent's hook was stored.
   */
  private restored(call: CallHandle): CallLegs | undefined {
    const agent = call.refs[jambonzRefs.agentLeg];
    if (!call.refs[jambonzRefs.conference] || !agent) return undefined;
    const legs = new CallLegs(call.providerRef);
    legs.agent = agent;
    legs.joined.add(call.providerRef).add(agent);
    for (const [key, sid] of Object.entries(call.refs)) if (key.startsWith('leg:')) legs.parties.set(key.slice(4), sid);
    legs.moved = Promise.resolve();
    this.calls.set(call.callId, legs);
    return legs;
  }

  private async move(call: CallHandle, legs: CallLegs): Promise<void> {
    const hook = (ref: 'customer' | 'agent') => ({ url: this.callbacks.url(CONFERENCE_JOIN_PATH, { cid: call.callId, pid: ref, mode: 'talk' }), method: 'POST' });
    const ready = legs.whenReady(this.joinTimeoutMs);
    ready.catch(() => undefined); // awaited below, after the request; a refused request must not leave it unhandled
    await this.attempt('move the call into its conference', () => this.control(call.providerRef, { call_hook: hook('customer'), child_call_hook: hook('agent') }));
    await ready;
  }

  private sidOf(call: CallHandle, legs: CallLegs, ref: string): string {
    const sid = ref === 'customer' ? call.providerRef
      : ref === 'agent' ? legs.agent ?? call.refs[jambonzRefs.agentLeg] : legs.parties.get(ref) ?? call.refs[jambonzRefs.party(ref)];
    if (!sid) throw new VoiceProviderError(`this gateway does not know the jambonz call_sid of the leg ${ref}`);
    return sid;
  }

  /**
   * One live call control request. `conferenceParticipantAction` is sent as it is: the node
   * client's own check of an update does not know it yet (jambonz's API does).
   */
  private async control(sid: string, body: Record<string, unknown>): Promise<void> {
    if ('conferenceParticipantAction' in body) {
      await this.client.calls.put(`Accounts/${this.accountSid}/Calls/${sid}`, body);
      return;
    }
    await this.client.calls.update(sid, body);
  }

  private async attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): VoiceProviderError {
    if (error instanceof VoiceProviderError) return error;
    const status = (error as { statusCode?: number }).statusCode;
    const detail = error instanceof Error ? error.message : String(error);
    return new VoiceProviderError(`jambonz could not ${what}: ${detail}${status && !detail.includes(String(status)) ? ` (${status})` : ''}`);
  }
}
