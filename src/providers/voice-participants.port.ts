import type { LegFact, ParticipantMode, ParticipantRole } from '../calls/participants/domain/participant';
import type { CallbackUrls } from './callbacks/callback-urls';
import type { CallHandle, VoiceProviderName } from './voice-provider.port';

/** A party to bring into a live call's bridge. */
export interface ParticipantDial {
  /** Our participant id; callbacks carry it back, and it is the leg's `ref`. */
  participantId: string;
  role: ParticipantRole;
  /** `sip:…`, E.164 or `user:…` (checked against the tenant's endpoints before). */
  to: string;
  mode: ParticipantMode;
  /** The number the party sees. */
  callerId: string;
  /** For a whisper: the `ref` of the agent the party coaches. */
  coach?: string;
  callbacks: CallbackUrls;
}

/** A change to a party's leg: hold, or what it hears and says (`mode`). */
export interface LegChange {
  hold?: boolean;
  mode?: ParticipantMode;
  /** For a whisper: the `ref` of the agent coached. */
  coach?: string;
}

/** A provider's fact about one party's leg. */
export interface ParticipantReport {
  provider: VoiceProviderName;
  callId: string;
  participantId: string;
  fact: LegFact;
}

/**
 * Resolves with what became of the report (the participants service says `unknown` for a party it
 * has not stored yet: an adapter whose facts can outrun the dial, like SIP's, offers it again).
 */
export type ParticipantReportSink = (report: ParticipantReport) => Promise<unknown>;

/**
 * What a voice adapter offers for calls of more than two parties (`VoiceProvider.participants`).
 * Legs are addressed by `ref`: `customer` and `agent` for the call's own two, the participant id
 * for every other. An adapter without it declares the capabilities absent in its descriptor.
 */
export interface ParticipantControl {
  /** Where adapters that report by themselves (the simulator) send their legs' facts. */
  connect(sink: ParticipantReportSink): void;
  dial(call: CallHandle, party: ParticipantDial): Promise<void>;
  update(call: CallHandle, ref: string, role: ParticipantRole, change: LegChange): Promise<void>;
  remove(call: CallHandle, ref: string, role: ParticipantRole): Promise<void>;
}

/** What a provider's participant webhooks ask of the participants service (bound in app.module). */
export abstract class ParticipantCallbackReceiver {
  abstract report(report: ParticipantReport): Promise<unknown>;
}
