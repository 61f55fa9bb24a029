import type { ProviderAttempt } from '../../failover/domain/failover';
import type { SmsEncoding } from './segments';

/** The text of one SMS interaction and what it costs. */
export interface MessageContent {
  interactionId: string;
  body: string;
  segments: number;
  encoding: SmsEncoding;
  errorCode: string | null;
  errorMessage: string | null;
  /** Provider failover: the providers it was handed to (read back; absent or []: none recorded). */
  attempts?: ProviderAttempt[];
}

/** A picture or file a customer sent, kept as a reference to the provider's media. */
export interface Attachment {
  id: string;
  interactionId: string;
  provider: string;
  url: string;
  contentType: string;
  size: number | null;
  createdAt: string;
}
