import jambonz from '@jambonz/node-client';
import {
  VoiceProviderError, type AnsweredCall, type CallHandle, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { JambonzSettings } from './jambonz.sms';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import { jambonzTarget } from './jambonz-voice.mapper';

/**
 * jambonz: `POST /v1/Accounts/{sid}/Calls` to the customer with our `call_hook` (answered with
 * verbs that dial the agent) and `call_status_hook`; live call control with `PUT …/Calls/{sid}`
 * and one property at a time: hangup, mute, DTMF (a SIP INFO through `sip_request`), and a
 * `call_hook` redirect for a transfer.
 * jambonz has no hold for a dialled call: hold and resume are refused as unsupported.
 */
export class JambonzVoiceProvider implements VoiceProvider {
  readonly name = 'jambonz';
  private readonly client: ReturnType<typeof jambonz>;

  constructor(settings: JambonzSettings, private readonly callbacks: CallbackUrls) {
    this.client = jambonz(settings.accountSid, settings.apiKey, { baseUrl: settings.apiBaseUrl });
  }

  connect(_sink: CallReportSink): void {
    // jambonz reports through its call_status_hook (JambonzWebhooksController).
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const params = { cid: request.callId };
    const sid = await this.attempt('place the call', () => this.client.calls.create({
      from: request.callerId,
      to: { type: 'phone', number: request.to },
      timeout: request.ringTimeoutSeconds ?? RING_TIMEOUT_LIMITS.default,
      call_hook: { url: request.callbacks.url('/webhooks/jambonz/call', params), method: 'POST' },
      call_status_hook: { url: request.callbacks.url('/webhooks/jambonz/call/status', params), method: 'POST' },
      tag: { callId: request.callId },
    }));
    if (typeof sid !== 'string' || !sid) throw new VoiceProviderError('jambonz answered without a call sid');
    return { callId: request.callId, providerRef: sid, refs: {} };
  }

  /**
   * The verbs for the answered customer leg (`call` undefined: no live call of ours): dial the
   * agent, or the transfer target a transfer's redirect names.
   */
  static answerVerbs(call: AnsweredCall | undefined, transferTo?: string): unknown[] {
    if (!call) return [{ verb: 'hangup' }];
    return JambonzVoiceProvider.dialVerbs(transferTo ?? call.agentEndpoint, call.callerId);
  }

  /** The verbs for the answered customer leg: dial the agent (or the transfer target). */
  static dialVerbs(target: string, callerId: string): unknown[] {
    return [{ verb: 'dial', callerId, answerOnBridge: true, target: [jambonzTarget(target)] }];
  }

  hangup(call: CallHandle): Promise<void> {
    return this.update(call, { call_status: 'completed' }, 'hang up');
  }

  async hold(): Promise<void> {
    throw new VoiceProviderError('jambonz cannot hold a dialled call', true);
  }

  async resume(): Promise<void> {
    throw new VoiceProviderError('jambonz cannot hold a dialled call', true);
  }

  mute(call: CallHandle): Promise<void> {
    return this.update(call, { mute_status: 'mute' }, 'mute');
  }

  unmute(call: CallHandle): Promise<void> {
    return this.update(call, { mute_status: 'unmute' }, 'unmute');
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

  /** Redirects the customer's leg: our call_hook then dials the new target. */
  transfer(call: CallHandle, to: string): Promise<void> {
    // The target is in the URL, so only our signature of it stops a replayed hook from dialling elsewhere.
    const url = this.callbacks.url('/webhooks/jambonz/call', { cid: call.callId, transfer: to });
    return this.update(call, { call_hook: { url, method: 'POST' } }, 'transfer');
  }

  async check(): Promise<void> {}
  async close(): Promise<void> {}

  private update(call: CallHandle, change: Record<string, unknown>, what: string): Promise<void> {
    return this.attempt(what, () => this.client.calls.update(call.providerRef, change));
  }

  private async attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new VoiceProviderError(`jambonz could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
