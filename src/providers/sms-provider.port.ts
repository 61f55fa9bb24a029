import type { SmsState } from '../messaging/domain/sms-state';

export type SmsProviderName = 'twilio' | 'jambonz' | 'simulator';
export const SMS_PROVIDERS: readonly SmsProviderName[] = ['twilio', 'jambonz', 'simulator'];

export interface OutboundMessage {
  /** Our interaction id; status callbacks carry it back in their URL. */
  interactionId: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  /** Where the provider posts delivery reports (public URL, provider-specific path). */
  statusCallbackUrl: string;
}

export interface SendResult {
  providerRef: string;
  /** The state the provider reported when it accepted the message. */
  state: SmsState;
}

/** A provider refused or could not take the message; the message is recorded as failed. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(message: string, readonly code: string | null = null) {
    super(message);
  }
}

/** Sends SMS/MMS through one provider account. One immutable instance per set of credentials. */
export interface SmsProvider {
  readonly name: SmsProviderName;
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Fetches an inbound media URL as the provider's media policy allows (media-fetch.ts): its own
   * media resources with its credentials, its CDN or carriers' configured media prefixes without;
   * undefined for any other URL (the gateway is no open proxy). Redirects are followed by hand and
   * judged again; one off the policy rejects with MediaRedirectRefused.
   */
  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined;
}
