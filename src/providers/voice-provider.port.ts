import type { CallFact } from '../calls/domain/call-state';
import type { CallbackUrls } from './callbacks/callback-urls';
import type { IncomingCall, IncomingVerdict } from './inbound-call.port';
import type { VoiceProviderName } from './providers';
import type { ParticipantControl } from './voice-participants.port';

/** The names derive from the providers' list (providers.ts). */
export type { VoiceProviderName } from './providers';

/** A click-to-call to place: the agent's device and the customer are to be bridged. */
export interface CallRequest {
  /** Our call (interaction) id; callbacks carry it back. */
  callId: string;
  /** The customer, E.164. */
  to: string;
  /** `sip:1001@pbx.example`, `+15551234567` or `user:alice`. */
  agentEndpoint: string;
  /** The number the customer sees. */
  callerId: string;
  /**
   * How long the customer may ring before the call ends `no-answer` (the request's, else the
   * tenant's; 45 when a caller names none).
   */
  ringTimeoutSeconds?: number;
  /** Makes the signed URLs of the gateway's webhooks for this call. */
  callbacks: CallbackUrls;
}

/** What an adapter keeps of a placed call to control it later (opaque to the rest). */
export interface CallHandle {
  callId: string;
  /** The provider's id of the customer leg (CallSid, call_sid, SIP Call-ID). */
  providerRef: string;
  /** Adapter-specific references, e.g. a conference name or the agent leg's id. */
  refs: Record<string, string>;
}

/** A fact about a call, from a provider callback or an adapter's own signalling. */
export interface CallReport {
  provider: VoiceProviderName;
  callId?: string;
  providerRef: string;
  fact: CallFact;
  /**
   * Why the provider ended the call, when it said (Twilio's SipResponseCode, jambonz's sip_status
   * and sip_reason, a SIP final response): kept on a call that ends without being completed.
   */
  failure?: { code: string | null; message: string };
}

export type CallReportSink = (report: CallReport) => Promise<void>;

/**
 * The provider could not do what was asked (the API answers 502), or cannot do it at all
 * (`unsupported`: 422); either way the call is unchanged. `code` is the provider's own (a Twilio
 * error code, an HTTP status); `retryable`: the provider certainly did not take the request (no
 * answer, or a 5xx), so placing a call may fail over to the tenant's next provider
 * (failover/domain). A 4xx, or anything that might mean the call was taken, is never retryable.
 */
export class VoiceProviderError extends Error {
  override name = 'VoiceProviderError';
  readonly code: string | null;
  readonly retryable: boolean;
  constructor(message: string, readonly unsupported = false, refusal: { code?: string | number | null; retryable?: boolean } = {}) {
    super(message);
    this.code = refusal.code === undefined || refusal.code === null ? null : String(refusal.code);
    this.retryable = refusal.retryable ?? false;
  }
}

/** Places and controls calls through one provider account. One immutable instance per credentials. */
export interface VoiceProvider {
  readonly name: VoiceProviderName;
  /** Why this provider cannot dial an agent endpoint or transfer target at all (a 422), or undefined. */
  refusal?(endpoint: string): string | undefined;
  /** Starts the call; progress arrives later as CallReports through the sink. */
  place(request: CallRequest): Promise<CallHandle>;
  hangup(call: CallHandle): Promise<void>;
  hold(call: CallHandle): Promise<void>;
  resume(call: CallHandle): Promise<void>;
  mute(call: CallHandle): Promise<void>;
  unmute(call: CallHandle): Promise<void>;
  sendDtmf(call: CallHandle, digits: string): Promise<void>;
  transfer(call: CallHandle, to: string): Promise<void>;
  /**
   * Inbound calls: connects the agent's device to a caller who waits on hold (the agent answered
   * on the console). Absent: the provider takes no inbound calls (answering is refused, 422).
   */
  connectAgent?(call: CallHandle, agentEndpoint: string, callerId: string): Promise<void>;
  /** Inbound calls the adapter receives itself (SIP INVITEs) go to `receiver` (wired at start-up). */
  acceptInbound?(receiver: (call: IncomingCall) => Promise<IncomingVerdict>): void;
  /** Parties beyond the call's two legs, when the adapter can bridge them (voice-participants.port.ts). */
  readonly participants?: ParticipantControl;
  /** Where the adapter reports progress of its calls (set once at start-up). */
  connect(sink: CallReportSink): void;
  /** Throws when the provider is not usable (readiness), e.g. SIP not connected to drachtio. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** A live call whose customer leg a provider's answer hook is fetching: what the adapter needs to bridge it. */
export interface AnsweredCall {
  callId: string;
  /** Whose call it is: the adapter of the tenant's own account bridges it, when the tenant has one. */
  tenantId: string;
  agentEndpoint: string;
  callerId: string;
}

/**
 * What a provider's voice webhook controller asks of the calls service (bound in app.module): the
 * controllers depend on this port, never on the service.
 */
export abstract class CallCallbackReceiver {
  /** Applies a provider's report on a call (forward-only, idempotent). */
  abstract report(report: CallReport): Promise<unknown>;
  /** The call whose answer hook this is, when it is live and placed through `provider`; else undefined. */
  abstract answered(callId: string, provider: VoiceProviderName): Promise<AnsweredCall | undefined>;
  /**
   * Claims the one dial of the call's agent: true for the first claim only, so a replayed (still
   * correctly signed) answer hook never dials the agent twice.
   */
  abstract claimAgentDial(callId: string): Promise<boolean>;
  /**
   * Keeps references a provider learns of a live call after placing it (jambonz: its legs'
   * call_sids once in the call's conference) in the call's `refs`, merged: later handles carry them.
   */
  abstract rememberRefs(callId: string, refs: Record<string, string>): Promise<void>;
}

/** The configured voice adapters by name (the provider registry, bound in app.module). */
export abstract class VoiceAdapters {
  /** With `tenantId`: the tenant's own account with the provider when it has one (README "Tenants and the admin API"). */
  abstract voiceByName(name: string, tenantId?: string): VoiceProvider | undefined;
}
