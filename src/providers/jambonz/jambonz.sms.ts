import jambonz from '@jambonz/node-client';
import { fetchWithTimeout, hostsOf, isAllowedMediaUrl } from '../media-fetch';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../sms-provider.port';

export interface JambonzSettings {
  apiBaseUrl: string;
  accountSid: string;
  apiKey: string;
}

/** jambonz messaging: `POST /v1/Accounts/{sid}/Messages` through @jambonz/node-client. */
export class JambonzSmsProvider implements SmsProvider {
  readonly name = 'jambonz';
  private readonly client: ReturnType<typeof jambonz>;
  private readonly mediaHosts: { https: Set<string>; http: Set<string> };

  constructor(private readonly settings: JambonzSettings) {
    this.client = jambonz(settings.accountSid, settings.apiKey, { baseUrl: settings.apiBaseUrl });
    this.mediaHosts = hostsOf([settings.apiBaseUrl]);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    try {
      const sid = await this.client.messages.create({
        from: message.from,
        to: message.to,
        text: message.body,
        ...(message.mediaUrls.length > 0 ? { media: message.mediaUrls } : {}),
        message_status_hook: { url: message.statusCallbackUrl, method: 'POST' },
      });
      if (typeof sid !== 'string' || sid.length === 0) throw new Error('no sid in the answer');
      return { providerRef: sid, state: 'sending' };
    } catch (error) {
      const e = error as { statusCode?: number; message?: string };
      throw new ProviderError(`jambonz refused the message: ${e.message ?? 'unknown error'}`, e.statusCode ? String(e.statusCode) : null);
    }
  }

  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    if (!isAllowedMediaUrl(url, this.mediaHosts.https, this.mediaHosts.http)) return undefined;
    return fetchWithTimeout(url, { method, headers: { authorization: `Bearer ${this.settings.apiKey}` } });
  }
}
