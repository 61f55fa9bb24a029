import jambonz from '@jambonz/node-client';
import {
  VoiceProviderError, type AnsweredCall, type CallHandle, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { CallAudioSink, CallMedia, StopAudio } from '../call-media.port';
import type { CallVoicemail, VoicemailOutcome, VoicemailRequest } from '../voicemail.port';
import type { JambonzSettings } from './jambonz.sms';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import { jambonzTarget } from './jambonz-voice.mapper';
import { voicemailHookUrl } from './jambonz-listen';
import type { CallQueueChoice, QueueChoiceOutcome, QueueChoiceRequest } from '../queue-choice.port';
import { callbackConfirmHookUrl, queueChoiceHookUrl } from './jambonz-queue-choice';
import { JambonzListenSwitch } from './jambonz.media';
import { JambonzParticipants } from './jambonz.participants';

/**
 * jambonz: `POST /v1/Accounts/{sid}/Calls` to the customer with our `call_hook` (answered with
 * verbs that dial the agent) and `call_status_hook`; live call control with `PUT …/Calls/{sid}`
 * and one property at a time: hangup, mute, DTMF (a SIP INFO through `sip_request`), and a
 * `call_hook` redirect for a transfer.
 * A dialled call has no hold in jambonz: hold moves the call's two legs into the call's
 * conference (jambonz.participants.ts), where the customer's member is held (`conf_hold_status`)
 * and further parties can join.
 * Media: the dial carries a `listen` to the gateway (jambonz-listen.ts), which writes recordings
 * itself (`gateway` mode); voicemail redirects the waiting caller to a `listen` of their message.
 */
export class JambonzVoiceProvider implements VoiceProvider, CallMedia, CallVoicemail, CallQueueChoice {
  readonly name = 'jambonz';
  readonly recordingMode = 'gateway';
  private readonly client: ReturnType<typeof jambonz>;
  private readonly listens: JambonzListenSwitch;
  /** `application_sid` named on every call created (JAMBONZ_APPLICATION_SID), or nothing. */
  private readonly application: { application_sid?: string };
  /** Consulted, added and supervising parties: members of the call's conference. */
  readonly participants: JambonzParticipants;

  constructor(settings: JambonzSettings, private readonly callbacks: CallbackUrls) {
    this.client = jambonz(settings.accountSid, settings.apiKey, { baseUrl: settings.apiBaseUrl });
    this.listens = new JambonzListenSwitch((call, change, what) => this.update(call, change, what));
    this.application = settings.applicationSid ? { application_sid: settings.applicationSid } : {};
    this.participants = new JambonzParticipants(this.client, settings.accountSid, callbacks, undefined, this.application);
  }

  connect(_sink: CallReportSink): void {
    // jambonz reports through its call_status_hook (JambonzWebhooksController).
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const params = { cid: request.callId };
    const sid = await this.attempt('place the call', () => this.client.calls.create({
      ...this.application,
      from: request.callerId,
      to: { type: 'phone', number: request.to },
      timeout: request.ringTimeoutSeconds ?? RING_TIMEOUT_LIMITS.default,
      call_hook: { url: request.callbacks.url('/webhooks/jambonz/call', params), method: 'POST' },
      call_status_hook: { url: request.callbacks.url('/webhooks/jambonz/call/status', params), method: 'POST' },
      tag: { callId: request.callId },
    }));
    // An answer without a sid may still have started a call: never retried elsewhere.
    if (typeof sid !== 'string' || !sid) throw new VoiceProviderError('jambonz answered without a call sid');
    return { callId: request.callId, providerRef: sid, refs: {} };
  }

  /**
   * The verbs for the answered customer leg (`call` undefined: no live call of ours): dial the
   * agent, or the transfer target a transfer's redirect names; `listen` (jambonz-listen.ts
   * dialListen) sends the bridged call's audio to the gateway.
   */
  static answerVerbs(call: AnsweredCall | undefined, transferTo?: string, listen?: Record<string, unknown>): unknown[] {
    if (!call) return [{ verb: 'hangup' }];
    return JambonzVoiceProvider.dialVerbs(transferTo ?? call.agentEndpoint, call.callerId, listen);
  }

  /** The verbs for the answered customer leg: dial the agent (or the transfer target). */
  static dialVerbs(target: string, callerId: string, listen?: Record<string, unknown>): unknown[] {
    return [{ verb: 'dial', callerId, answerOnBridge: true, target: [jambonzTarget(target)], ...(listen ? { listen } : {}) }];
  }

  /** Resumes the dial's listen (jambonz.media.ts); the returned stop pauses it. */
  startAudio(call: CallHandle, sink: CallAudioSink, _callbacks: CallbackUrls): Promise<StopAudio> {
    return this.listens.startAudio(call, sink);
  }

  /**
   * Queue timeout: the waiting caller's leg is redirected to our signed voicemail hook (prompt,
   * beep, a listen of the message to the gateway, hangup). The gateway stores the message when
   * that listen closes, as the recording's file (jambonz-listen.gateway.ts).
   */
  async takeVoicemail(call: CallHandle, request: VoicemailRequest): Promise<VoicemailOutcome> {
    const url = voicemailHookUrl(request.callbacks, call.callId, request);
    await this.update(call, { call_hook: { url, method: 'POST' } }, 'take a voicemail');
    return { kind: 'reported' };
  }

  /** Queue timeout (`choice`): the waiting caller's leg is redirected to our signed hook, which gathers one key (jambonz-queue-choice.ts). */
  async askQueueChoice(call: CallHandle, request: QueueChoiceRequest): Promise<QueueChoiceOutcome> {
    const url = queueChoiceHookUrl(request.callbacks, call.callId, request.prompt);
    await this.update(call, { call_hook: { url, method: 'POST' } }, 'ask the caller');
    return { kind: 'reported' };
  }

  /** Queue timeout (`callback`): redirected to a hook that says the confirmation and hangs up (jambonz reports the end). */
  async confirmCallback(call: CallHandle, request: QueueChoiceRequest): Promise<{ kind: 'reported' }> {
    const url = callbackConfirmHookUrl(request.callbacks, call.callId, request.prompt);
    await this.update(call, { call_hook: { url, method: 'POST' } }, 'confirm the callback');
    return { kind: 'reported' };
  }

  async hangup(call: CallHandle): Promise<void> {
    await this.update(call, { call_status: 'completed' }, 'hang up');
    this.participants.forget(call.callId);
  }

  /** The customer's member held in the call's conference (the legs are moved there first). */
  hold(call: CallHandle): Promise<void> {
    return this.participants.hold(call, true);
  }

  resume(call: CallHandle): Promise<void> {
    return this.participants.hold(call, false);
  }

  /** The agent's side: the dial's (addressed by the customer's leg), or the agent's member once in the conference. */
  mute(call: CallHandle): Promise<void> {
    return this.update(this.agentSide(call), { mute_status: 'mute' }, 'mute');
  }

  unmute(call: CallHandle): Promise<void> {
    return this.update(this.agentSide(call), { mute_status: 'unmute' }, 'unmute');
  }

  /** One in-dialog SIP INFO (application/dtmf-relay) per digit; `w` and `,` pause half a second. */
  async sendDtmf(call: CallHandle, digits: string): Promise<void> {
    for (const digit of digits) {
      if (digit === 'w' || digit === ',') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      await this.update(call, {
        sip_request: { method: 'INFO', content_type: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160` },
      }, 'send digits');
    }
  }

  /**
   * Inbound: redirects the waiting caller's leg (greeting, then hold music) to our call_hook,
   * which answers with a dial of the agent's device (answered() gives it, answerVerbs dials it).
   */
  connectAgent(call: CallHandle): Promise<void> {
    const url = this.callbacks.url('/webhooks/jambonz/call', { cid: call.callId });
    return this.update(call, { call_hook: { url, method: 'POST' } }, 'connect the agent');
  }

  /**
   * Redirects the customer's leg: our call_hook then dials the new target. From the conference,
   * the customer's leaving ends it, and the other members' legs with it.
   */
  async transfer(call: CallHandle, to: string): Promise<void> {
    // The target is in the URL, so only our signature of it stops a replayed hook from dialling elsewhere.
    const url = this.callbacks.url('/webhooks/jambonz/call', { cid: call.callId, transfer: to });
    await this.update(call, { call_hook: { url, method: 'POST' } }, 'transfer');
    this.participants.forget(call.callId);
  }

  async check(): Promise<void> {}
  async close(): Promise<void> {}

  private agentSide(call: CallHandle): CallHandle {
    const agent = this.participants.agentLeg(call.callId);
    return agent ? { ...call, providerRef: agent } : call;
  }

  private update(call: CallHandle, change: Record<string, unknown>, what: string): Promise<void> {
    return this.attempt(what, () => this.client.calls.update(call.providerRef, change));
  }

  /**
   * The client's error is bent's StatusError for an HTTP refusal (`statusCode`, the body readable
   * once: jambonz says why in `msg`), or a socket error without one (no answer: retryable, as is a 5xx).
   */
  private async attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const e = error as { statusCode?: unknown; text?: unknown };
      const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
      const said = status !== undefined && typeof e.text === 'function' ? await jambonzReason(() => (e.text as () => Promise<string>).call(e)) : undefined;
      const message = said ?? (error instanceof Error ? error.message : String(error));
      throw new VoiceProviderError(`jambonz could not ${what}: ${message}`, false, { code: status ?? null, retryable: status === undefined || status >= 500 });
    }
  }
}

/** jambonz's own reason for a refusal (`{ msg }` in its error bodies), or undefined. */
async function jambonzReason(text: () => Promise<string>): Promise<string | undefined> {
  try {
    const body = JSON.parse(await text()) as { msg?: unknown; message?: unknown };
    const said = body.msg ?? body.message;
    return typeof said === 'string' && said ? said : undefined;
  } catch {
    return undefined;
  }
}
