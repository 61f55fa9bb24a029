import type { SmsState } from '../messaging/domain/sms-state';
import type { SmsProviderName } from './providers';
import type { SmsStatusReport, SmsStatusSink } from './sms-status';

/** The names derive from the providers' list (providers.ts). */
export type { SmsProviderName } from './providers';

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

/**
 * A provider refused or could not take the message; the message is recorded as failed.
 * `retryable`: the provider certainly did not accept it (no answer: network error or timeout, or a
 * 5xx), so the tenant's next provider may be tried (failover); a 4xx or any answer that might mean
 * the message was taken is never retryable.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(message: string, readonly code: string | null = null, readonly retryable = false) {
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
  /** Where an adapter that reports by itself (the simulator) sends its delivery reports; set once at start-up. */
  connect?(sink: SmsStatusSink): void;
  /** Stops what it runs (timers); called once at shutdown. */
  close?(): void | Promise<void>;
}

/** An inbound SMS/MMS as every provider's webhook is read into. */
export interface InboundMessage {
  provider: SmsProviderName;
  providerRef: string;
  from: string;
  to: string;
  body: string;
  /** `size` when the provider already told it (the simulator does); else it is measured afterwards. */
  media: Array<{ url: string; contentType: string; size?: number }>;
}

/**
 * Where a provider's webhook controller hands a customer's message (the messaging service, bound
 * in app.module): the controllers depend on this port, never on a service.
 */
export abstract class InboundSmsReceiver {
  abstract receive(message: InboundMessage): Promise<unknown>;
}

/** Where a provider's webhook controller hands a delivery report (the outbound messaging service). */
export abstract class SmsStatusReceiver {
  abstract applyStatus(report: SmsStatusReport): Promise<unknown>;
}
