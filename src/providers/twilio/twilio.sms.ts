import type twilio from 'twilio';
import { fetchMedia, type MediaPolicy } from '../media-fetch';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../sms-provider.port';
import { mapTwilioMessageStatus } from './twilio.mapper';
import { TWILIO_MEDIA_CDN_PREFIXES, twilioMediaPolicy } from './twilio-media';

/** Twilio Programmable Messaging through the official client. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly media: MediaPolicy;

  constructor(
    private readonly client: twilio.Twilio, accountSid: string, authToken: string, apiBaseUrl: string,
    mediaCdnPrefixes: readonly string[] = TWILIO_MEDIA_CDN_PREFIXES,
  ) {
    this.media = twilioMediaPolicy({ accountSid, authToken, apiBaseUrl, mediaCdnPrefixes });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    try {
      const created = await this.client.messages.create({
        from: message.from,
        to: message.to,
        ...(message.body ? { body: message.body } : {}),
        ...(message.mediaUrls.length > 0 ? { mediaUrl: message.mediaUrls } : {}),
        statusCallback: message.statusCallbackUrl,
      });
      return { providerRef: created.sid, state: mapTwilioMessageStatus(created.status) ?? 'queued' };
    } catch (error) {
      // Twilio's RestException carries the HTTP `status`; an error without one never got an answer
      // (connection refused, reset, timeout). Both that and a 5xx mean Twilio did not take it.
      const e = error as { code?: number | string; message?: string; status?: number };
      const retryable = typeof e.status !== 'number' || e.status >= 500;
      throw new ProviderError(`twilio refused the message: ${e.message ?? 'unknown error'}`, e.code === undefined ? null : String(e.code), retryable);
    }
  }

  /** The account's media resources on the API host (with its credentials), then Twilio's CDN (without). */
  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    return fetchMedia(url, method, this.media);
  }
}
