import type twilio from 'twilio';
import { fetchWithTimeout, hostsOf, isAllowedMediaUrl } from '../media-fetch';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../sms-provider.port';
import { mapTwilioMessageStatus } from './twilio.mapper';

/** Twilio Programmable Messaging through the official client. */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  private readonly mediaHosts: { https: Set<string>; http: Set<string> };
  private readonly authorization: string;

  constructor(private readonly client: twilio.Twilio, accountSid: string, authToken: string, apiBaseUrl: string) {
    this.mediaHosts = hostsOf(['https://api.twilio.com', apiBaseUrl]);
    this.authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
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
      const e = error as { code?: number | string; message?: string };
      throw new ProviderError(`twilio refused the message: ${e.message ?? 'unknown error'}`, e.code === undefined ? null : String(e.code));
    }
  }

  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    if (!isAllowedMediaUrl(url, this.mediaHosts.https, this.mediaHosts.http)) return undefined;
    return fetchWithTimeout(url, { method, headers: { authorization: this.authorization } });
  }
}
