import type { SmsProviderName, VoiceProviderName } from '../providers/providers';

export interface Tenant {
  id: string;
  name: string;
  defaultRegion: string;
}

/** What the gateway knows of a tenant from configuration. */
export interface TenantSettings extends Tenant {
  /** The tenant's own numbers (E.164); inbound messages to them belong to it. */
  numbers: string[];
  smsProvider?: SmsProviderName;
  voiceProvider?: VoiceProviderName;
  requireConsent: boolean;
  doNotCall: ReadonlySet<string>;
  maxComposeLength: number;
  maskSensitiveData: boolean;
  /** Patterns of what agents may have dialled as their leg or a transfer target (dial-policy.ts). */
  agentEndpoints: readonly string[];
  /** Routing of a message with no open conversation (see routing/domain/inbound-routing.ts). */
  inboundRouting: 'sticky' | 'queue';
  stickyDays: number;
  /** Seconds in the queue before `conversation.unattended` (0: never). */
  unattendedAlertSeconds: number;
}
