import type { VoiceProviderName } from './providers';

/** A customer's call to one of the tenants' numbers, as a provider's webhook (or SIP INVITE) reports it. */
export interface IncomingCall {
  provider: VoiceProviderName;
  /** The provider's id of the caller's leg (CallSid, call_sid, SIP Call-ID). */
  providerRef: string;
  /** The caller, as the provider gives it (normally E.164). */
  from: string;
  /** The number dialled: its owner is the call's tenant. */
  to: string;
}

/**
 * What the gateway does with an incoming call: `unknown-number` (no tenant owns it: rejected as
 * the provider expects), `busy` (the caller's conversation already has a live call), or
 * `accepted`: the caller hears `greeting`, then `holdMusicUrl` (or the provider's own music) in
 * a loop until an agent answers and is connected to the call.
 */
export type IncomingVerdict =
  | { kind: 'unknown-number' }
  | { kind: 'busy' }
  | { kind: 'accepted'; callId: string; conversationId: string; duplicate: boolean; greeting: string; holdMusicUrl: string | null };

/**
 * What the providers' inbound call webhooks ask of the gateway (bound in app.module to the
 * inbound calls service): the webhooks depend on this port, never on the service.
 */
export abstract class InboundCallReceiver {
  abstract incoming(call: IncomingCall): Promise<IncomingVerdict>;
}
