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
  /** Providers in failover order (failover/domain/failover.ts); empty or absent: the single provider above. */
  smsProviders?: readonly SmsProviderName[];
  voiceProviders?: readonly VoiceProviderName[];
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
  /** Wrap-up reasons agents choose from (empty: any disposition of 1–100 characters). */
  dispositions: readonly string[];
  /** SMS templates offered to agents (`<name>` marks a parameter). */
  smsTemplates: readonly string[];
  /** Click-to-call: how long the customer may ring (a request's `ringTimeoutSeconds` overrides it). */
  ringTimeoutSeconds: number;
  /** Call recording policy, what a pause keeps, and how long recordings are kept (0: until deleted). */
  recordCalls: 'off' | 'always' | 'on-demand';
  pauseBehavior: 'silence' | 'skip';
  recordingRetentionDays: number;
  /**
   * Inbound calls (calls/inbound/inbound-settings.ts reads them): absent only for settings built
   * elsewhere (test doubles), where the configuration's values or the defaults apply.
   */
  ringNoAnswerSeconds?: number;
  queueTimeoutSeconds?: number;
  inboundGreeting?: string;
  holdMusicUrl?: string | null;
  voicemailPrompt?: string;
  queueTimeoutOffer?: 'voicemail' | 'callback' | 'choice';
  callbackPrompt?: string;
  queueChoicePrompt?: string;
  /** Which provider owns each number, where the admin API or the seed said (absent: not said). */
  numberProviders?: ReadonlyMap<string, string>;
  /** The stored settings' version (bumped by every admin change); absent for settings built elsewhere. */
  version?: number;
}
