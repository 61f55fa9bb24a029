import pino, { type Logger } from 'pino';
import {
  VoiceProviderError, type CallHandle, type CallReport, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import { endpointUri, parseTrunk } from './sip.mapper';
import type { IncomingCall, IncomingVerdict } from '../inbound-call.port';
import { SipInbound } from './sip-inbound';
import { SipConsultation } from './sip.consult';
import type { ParticipantControl } from '../voice-participants.port';
import type { CallAudioSink, StopAudio } from '../call-media.port';
import type { NgClient } from './rtpengine/ng-client';
import type { TrunkCredentials } from './sip.trunk';
import { EarlyMedia } from './sip.early-media';
import { takeSipVoicemail } from './sip.voicemail';
import type { CallVoicemail } from '../voicemail.port';
import { SipAnswering } from './sip.answered-caller';
import { askSipQueueChoice, confirmSipCallback } from './sip.queue-choice';
import type { CallQueueChoice } from '../queue-choice.port';
import { withDefaults, type Sounds } from './rtpengine/domain/sounds';
import { messageOf } from './srf.types';
import { DrachtioConnection, type DrachtioTarget } from './sip.connection';
import { SipCalls, type CallSetup } from './sip.calls';
import { SipClickToCall } from './sip.click-to-call';
import { SipCallControls } from './sip.call-controls';
import { startCallAudio } from './sip.call-audio';
import { connectAgent } from './sip.connect-agent';

export interface SipVoiceOptions extends DrachtioTarget {
  /** Where customers (and E.164 agents) are dialled: `sip:trunk.example.com:5060` (`providers.sipTrunkUri`). */
  trunkUri: string;
  /** What the trunk's digest challenges (401/407) are answered with (`providers.sipTrunkUsername`/`sipTrunkPassword`). */
  trunkCredentials?: TrunkCredentials;
  /** Inbound calls: the addresses INVITEs may come from (the trunk's; `providers.sipTrunkAddresses`). */
  trunkAddresses?: readonly string[];
  /**
   * rtpengine's NG control (`RTPENGINE_URL`): placed calls have their media anchored there, which
   * gives them recording and live audio. Without it the phones send RTP to each other.
   */
  rtpengine?: NgClient;
  /**
   * With rtpengine: what a waiting inbound caller hears (greeting, hold music) and the voicemail
   * prompt and beep (`SIP_SOUNDS_DIR`, sip.sounds.ts); the gateway's own tones by default.
   */
  sounds?: Sounds;
}

/**
 * Calls through a drachtio-server: click-to-call as third-party call control (sip.click-to-call.ts),
 * inbound calls from the trunk (sip-inbound.ts, sip.connect-agent.ts), in-call controls
 * (sip.call-controls.ts) and warm transfer (sip.consult.ts). Later re-INVITEs from either side are
 * relayed to the other (glare: 491; sip.reinvite.ts).
 *
 * Connects on construction and keeps reconnecting with backoff until `close()` (sip.connection.ts);
 * `check()` fails while not connected. A lost connection ends the calls it carried (`failed`):
 * their dialogs lived on that socket and can no longer be controlled or heard from.
 */
export class SipVoiceProvider implements VoiceProvider {
  readonly name = 'sip';
  private sink?: CallReportSink;
  /** The calls in progress and their endings (sip.calls.ts). */
  private readonly calls = new SipCalls(() => this.sink);
  private readonly drachtio: DrachtioConnection;
  private readonly clickToCall: SipClickToCall;
  private readonly controls: SipCallControls;
  private readonly setup: CallSetup;
  private closed = false;
  /** Calls from the trunk waiting for an agent (sip-inbound.ts). */
  private readonly inbound: SipInbound;
  /** Warm transfer by re-INVITEs: consult, complete, cancel (sip.consult.ts); mixing is refused. */
  readonly participants: ParticipantControl;
  /** Voicemail for waiting inbound callers (sip.voicemail.ts): with rtpengine only, so none without it. */
  readonly takeVoicemail?: CallVoicemail['takeVoicemail'];
  /** The queue timeout's choice, voicemail or callback (sip.queue-choice.ts): with rtpengine only, like voicemail. */
  readonly askQueueChoice?: CallQueueChoice['askQueueChoice'];
  readonly confirmCallback?: CallQueueChoice['confirmCallback'];
  readonly takesVoicemailFor?: CallVoicemail['takesVoicemailFor'];
  /** Voicemails recording and questions asked now: each entry ends one (close, lost connection). */
  private readonly voicemails = new Set<(why: string) => void>();
  /** Callers the gateway answered itself (voicemail, the queue's question), kept between those steps. */
  private readonly answering?: SipAnswering;

  constructor(private readonly options: SipVoiceOptions, private readonly logger: Logger = pino({ level: 'silent' })) {
    parseTrunk(options.trunkUri); // a bad trunk is a configuration error: fail at boot
    const { rtpengine } = options;
    const sounds = options.sounds ?? withDefaults({});
    // With rtpengine a waiting caller hears the greeting and hold music (sip.early-media.ts), else ringback.
    const earlyMedia: ConstructorParameters<typeof SipInbound>[3] = rtpengine && ((callId, req, res) => EarlyMedia.start(rtpengine, callId, req.body, sounds, res));
    this.inbound = new SipInbound(options.trunkAddresses ?? [], (report) => void this.sink?.(report).catch(() => undefined), logger.child({ component: 'sip-inbound' }), earlyMedia);
    if (rtpengine) {
      const report = (fact: CallReport): void => void this.sink?.(fact).catch(() => undefined);
      const answering = new SipAnswering({ srf: () => this.drachtio.require(), inbound: this.inbound, logger, report });
      const deps = { answering, ng: rtpengine, logger, active: this.voicemails, report };
      this.answering = answering;
      this.takeVoicemail = (handle, request) => takeSipVoicemail(deps, handle, request);
      this.askQueueChoice = (handle) => askSipQueueChoice(deps, handle);
      this.confirmCallback = (handle) => confirmSipCallback(deps, handle);
      this.takesVoicemailFor = (handle) => this.inbound.canAnswerItself(handle.providerRef);
    }
    const trunk = { uri: options.trunkUri, credentials: options.trunkCredentials };
    this.participants = new SipConsultation({
      live: (handle) => this.calls.live(handle),
      srf: () => this.drachtio.require(),
      trunk,
      adoptAgent: (call, dialog) => this.calls.watch(call, dialog, 'agent'),
    });
    this.setup = { srf: () => this.drachtio.require(), trunk, rtpengine, calls: this.calls, logger };
    this.clickToCall = new SipClickToCall(this.setup);
    this.controls = new SipCallControls(this.calls, options.trunkUri);
    this.drachtio = new DrachtioConnection(options, logger, {
      onInvite: (req, res) => void this.inbound.onInvite(req, res),
      onLost: () => this.onConnectionLost(),
    });
  }

  refusal(endpoint: string): string | undefined {
    try {
      endpointUri(endpoint, this.options.trunkUri);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  connect(sink: CallReportSink): void {
    this.sink = sink;
  }

  /** Calls in progress (each holds dialogs until its dispose). */
  get liveCalls(): number {
    return this.calls.size;
  }

  async check(): Promise<void> {
    this.drachtio.require();
    // With rtpengine every call's media passes through it: a call placed while it is down fails.
    await this.options.rtpengine?.command({ command: 'ping' }).catch((err: unknown) => {
      throw new VoiceProviderError(`rtpengine does not answer: ${messageOf(err)}`);
    });
  }

  /** Resolves once drachtio-server has sent the INVITE to the agent (sip.click-to-call.ts). */
  place(request: CallRequest): Promise<CallHandle> {
    return this.clickToCall.place(request);
  }

  /** BYE the legs that are up, CANCEL the ones still ringing. Hanging up a call that is over does nothing. */
  async hangup(handle: CallHandle): Promise<void> {
    const call = this.calls.get(handle.providerRef);
    if (call) await this.calls.end(call, call.answered ? 'completed' : 'canceled');
  }

  /** re-INVITE the customer with the agent's description set inactive (and back to sendrecv). */
  hold(handle: CallHandle): Promise<void> { return this.controls.reinvite(handle, 'customer', 'inactive'); }
  resume(handle: CallHandle): Promise<void> { return this.controls.reinvite(handle, 'customer', 'sendrecv'); }

  /**
   * re-INVITE the agent with the customer's description set sendonly: the agent's device answers
   * recvonly and stops sending, so the customer no longer hears the agent while the agent still
   * hears the customer. The customer's leg is untouched (hold stays independent of mute).
   */
  mute(handle: CallHandle): Promise<void> { return this.controls.reinvite(handle, 'agent', 'sendonly'); }
  unmute(handle: CallHandle): Promise<void> { return this.controls.reinvite(handle, 'agent', 'sendrecv'); }

  /** One INFO (`application/dtmf-relay`) per digit on the customer leg; `w` and `,` pause 0.5 s. */
  sendDtmf(handle: CallHandle, digits: string): Promise<void> {
    return this.controls.sendDtmf(handle, digits);
  }

  /** Blind transfer: REFER the customer to the target; the customer's BYE that follows ends our legs. */
  transfer(handle: CallHandle, to: string): Promise<void> {
    return this.controls.transfer(handle, to);
  }

  /**
   * Media (call-media.port.ts), with rtpengine only: the gateway records from the live audio it
   * receives, like the simulator's. Undefined without rtpengine, so the adapter has no media.
   */
  get recordingMode(): 'gateway' | undefined {
    return this.options.rtpengine ? 'gateway' : undefined;
  }

  /** Live audio: rtpengine forwards a copy of each leg's RTP to the gateway (sip.call-audio.ts). */
  async startAudio(handle: CallHandle, sink: CallAudioSink): Promise<StopAudio> {
    return startCallAudio(this.calls.live(handle), this.options.rtpengine, sink);
  }

  /** Inbound: where calls from the trunk are recorded (sip-inbound.ts). */
  acceptInbound(receiver: (call: IncomingCall) => Promise<IncomingVerdict>): void {
    this.inbound.accept(receiver);
  }

  /** Inbound: the agent answered on the console; their device is bridged with the caller (sip.connect-agent.ts). */
  connectAgent(handle: CallHandle, agentEndpoint: string, callerId: string): Promise<void> {
    return connectAgent(this.setup, this.inbound, handle, agentEndpoint, callerId);
  }

  /** Ends every call (BYE/CANCEL, reported like a hangup), stops reconnecting, disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.drachtio.stop();
    this.inbound.releaseAll();
    this.answering?.releaseAll();
    for (const end of [...this.voicemails]) end('the gateway is shutting down');
    await Promise.all(this.calls.all().map((call) => this.calls.end(call, call.answered ? 'completed' : 'canceled')));
    this.options.rtpengine?.close();
    await this.drachtio.disconnect();
  }

  /** The calls, waiting callers and voicemails lived on the lost socket. */
  private onConnectionLost(): void {
    this.logger.warn({ calls: this.calls.size }, 'lost the connection to drachtio-server');
    for (const call of this.calls.all()) void this.calls.end(call, 'failed');
    this.inbound.releaseAll();
    this.answering?.releaseAll();
    for (const end of [...this.voicemails]) end('lost the connection to drachtio-server');
  }
}
