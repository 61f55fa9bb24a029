import type { SmsState } from '../messaging/domain/sms-state';
import type { SmsProviderName } from './sms-provider.port';

/** A delivery report, as every provider's status callback is read into. */
export interface SmsStatusReport {
  provider: SmsProviderName;
  /** Our interaction id, from the callback URL we gave the provider (absent if it dropped it). */
  interactionId?: string;
  /** The provider's message id (absent when the provider refused before giving one). */
  providerRef?: string;
  /**
   * The id is the provider's answer to our own send, so it is stored. A callback's id is only
   * compared with the stored one: its URL may name the message, and a signed body of another
   * message must not lend it its id.
   */
  answersSend?: boolean;
  state: SmsState;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export type SmsStatusSink = (report: SmsStatusReport) => Promise<void>;
