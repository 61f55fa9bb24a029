import type { Interaction } from '../../conversations/domain/conversation';
import type { ProviderAttempt } from '../../failover/domain/failover';
import type { ProviderFailure } from '../../failover/domain/provider-failure';
import type { CallState, CallStatus, EndReason } from './call-state';

/** What a call keeps beyond its interaction. */
export interface CallDetails {
  agentEndpoint: string;
  callerId: string;
  muted: boolean;
  answeredAt: string | null;
  consent: { via: string; at: string } | null;
  /** Adapter references (conference name, agent leg id …). */
  refs: Record<string, string>;
  /** Provider failover: each provider the call was handed to and why it failed (absent or empty: one provider). */
  attempts?: ProviderAttempt[];
  /** Why the provider failed the call (its code and a safe message); absent or null: it did not. */
  failure?: ProviderFailure | null;
}

export interface Call {
  tenantId: string;
  interaction: Interaction;
  details: CallDetails;
}

export function statusOf(call: Call): CallStatus {
  return {
    state: call.interaction.state as CallState,
    muted: call.details.muted,
    endReason: call.interaction.endReason as EndReason | null,
    answeredAt: call.details.answeredAt,
    endedAt: call.interaction.endedAt,
  };
}

/** The call with a new status laid over it. */
export function withStatus(call: Call, status: CallStatus, at: string): Call {
  return {
    ...call,
    interaction: { ...call.interaction, state: status.state, endReason: status.endReason, endedAt: status.endedAt, updatedAt: at },
    details: { ...call.details, muted: status.muted, answeredAt: status.answeredAt },
  };
}
