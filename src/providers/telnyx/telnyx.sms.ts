import { fetchMedia, mediaPrefix, type MediaPolicy } from '../media-fetch';
import { outcomeOf, type ProviderCallObserver } from '../provider-calls';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../sms-provider.port';
import { mapTelnyxMessageStatus } from './telnyx.mapper';

/** Telnyx's API origin; `TELNYX_API_BASE_URL` replaces it (a test fake, a proxy). */
export const TELNYX_API_BASE_URL = 'https://api.telnyx.com';

/**
 * Where Telnyx's inbound MMS links have been seen to point (an S3 bucket of its own, links
 * presigned). Its docs only call the links ephemeral and download them without credentials, so
 * this default comes from integrations in the field, not from Telnyx: set
 * `TELNYX_MEDIA_PREFIXES` when your account's links point elsewhere.
 */
export const TELNYX_MEDIA_PREFIXES = ['https://tlnx-mms-media.s3.us-east-1.amazonaws.com/'];

export interface TelnyxSettings {
  apiKey: string;
  apiBaseUrl: string;
  /** Sends from a number pool or an alphanumeric sender need it; a number of the profile does not. */
  messagingProfileId?: string;
  mediaPrefixes?: readonly string[];
}

const SEND_TIMEOUT_MS = 15_000;

/**
 * Telnyx Messaging API v2 over plain `fetch` (its SDK would be a dependency for one request):
 * `POST /v2/messages` with `Authorization: Bearer <API key>` and
 * `{ from, to, text, media_urls, webhook_url, use_profile_webhooks, messaging_profile_id? }`
 * answers `{ data: { id, to: [{ phone_number, status }], … } }`, errors as
 * `{ errors: [{ code, title, detail }] }` (telnyx-node `messages.ts`, Telnyx's send-message docs).
 */
export class TelnyxSmsProvider implements SmsProvider {
  readonly name = 'telnyx';
  private readonly endpoint: string;
  private readonly media: MediaPolicy;

  constructor(private readonly settings: TelnyxSettings, private readonly observe?: ProviderCallObserver) {
    this.endpoint = `${settings.apiBaseUrl.replace(/\/+$/, '')}/v2/messages`;
    // Inbound media links carry their own credential (presigned); the API key never goes with them.
    this.media = { own: null, anonymous: (settings.mediaPrefixes ?? TELNYX_MEDIA_PREFIXES).map(mediaPrefix) };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const request = {
      from: message.from,
      to: message.to,
      ...(message.body ? { text: message.body } : {}),
      ...(message.mediaUrls.length > 0 ? { media_urls: message.mediaUrls } : {}),
      webhook_url: message.statusCallbackUrl,
      // Statuses come to our signed URL only, not also to the profile's inbound URL (as Telnyx's
      // own messaging demo does); an unsigned copy there could not name the message.
      use_profile_webhooks: false,
      ...(this.settings.messagingProfileId ? { messaging_profile_id: this.settings.messagingProfileId } : {}),
    };
    let response: Response | undefined;
    let answer: unknown;
    const started = process.hrtime.bigint();
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.settings.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ProviderError(`telnyx could not be reached: ${error instanceof Error ? error.message : String(error)}`, null, true);
    } finally {
      this.observe?.('telnyx', 'POST /v2/messages', outcomeOf(response?.status), Number(process.hrtime.bigint() - started) / 1e9);
    }
    if (!response.ok) {
      const first = firstError(answer);
      throw new ProviderError(`telnyx refused the message: ${first?.reason ?? `HTTP ${response.status}`}`, first?.code ?? String(response.status), response.status >= 500);
    }
    const data = (answer as { data?: { id?: unknown; to?: Array<{ status?: unknown }> } } | undefined)?.data;
    if (typeof data?.id !== 'string' || data.id.length === 0) throw new ProviderError('telnyx answered without a message id');
    const status = data.to?.[0]?.status;
    return { providerRef: data.id, state: (typeof status === 'string' && mapTelnyxMessageStatus(status)) || 'queued' };
  }

  /** Only under the configured media prefixes, without credentials. */
  fetchMedia(url: string, method: 'GET' | 'HEAD'): Promise<Response> | undefined {
    return fetchMedia(url, method, this.media);
  }
}

/** The first of `{ errors: [{ code, title, detail }] }`: its code, and the most telling of its words. */
function firstError(answer: unknown): { code: string | null; reason: string | null } | undefined {
  const errors = (answer as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || typeof errors[0] !== 'object' || errors[0] === null) return undefined;
  const { code, title, detail } = errors[0] as Record<string, unknown>;
  return {
    code: typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 40) : null,
    reason: typeof detail === 'string' ? detail.slice(0, 200) : typeof title === 'string' ? title.slice(0, 200) : null,
  };
}
