import type { SmsState } from '../messaging/domain/sms-state';
import type { SmsProviderName } from './sms-provider.port';

/** A delivery report, as every provider's status callback is read into. */
export interface SmsStatusReport {
  provider: SmsProviderName;
  /** Our interaction id, from the callback URL we gave the provider (absent if it dropped it). */
  interactionId?: string;
  /** The provider's message id (absent when the provider refused before giving one). */
  providerRef?: string;
  state: SmsState;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export type SmsStatusSink = (report: SmsStatusReport) => Promise<void>;
