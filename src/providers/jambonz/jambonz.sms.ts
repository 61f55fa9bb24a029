import jambonz from '@jambonz/node-client';
import { fetchMedia, mediaPrefix, type MediaPolicy } from '../media-fetch';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../sms-provider.port';

export interface JambonzSettings {
  apiBaseUrl: string;
  accountSid: string;
  apiKey: string;
  /** Carriers' media hosts (`JAMBONZ_MEDIA_PREFIXES`) inbound media may be fetched from. */
  mediaPrefixes?: readonly string[];
  /**
   * `JAMBONZ_APPLICATION_SID`: an application of the account named on every call the gateway
   * creates. Our `call_hook` still drives the call; jambonz takes the application's speech
   * settings from it (its API server refuses a REST-created call with neither an application nor
   * speech settings).
   */
  applicationSid?: string;
}

/** jambonz messaging: `POST /v1/Accounts/{sid}/Messages` through @jambonz/node-client. */
export class JambonzSmsProvider implements SmsProvider {
  readonly name = 'jambonz';
  private readonly client: ReturnType<typeof jambonz>;
  private readonly media: MediaPolicy;

  constructor(settings: JambonzSettings) {
    this.client = jambonz(settings.accountSid, settings.apiKey, { baseUrl: settings.apiBaseUrl });
    // jambonz serves no media: its messaging hook passes on the carrier's own media URLs
    // (feature server lib/http-routes/api/messaging.js), so the API key is never sent with them.
    this.media = { own: null, anonymous: (settings.mediaPrefixes ?? []).map(mediaPrefix) };
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

  /** Only under the configured carrier media prefixes, without credentials. */
  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    return fetchMedia(url, method, this.media);
  }
}
