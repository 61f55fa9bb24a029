import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

const TWILIO_API = 'https://api.twilio.com';

/**
 * The official client, pointed at TWILIO_API_BASE_URL when that is not api.twilio.com
 * (a Twilio-compatible API, a regional edge, or a test double).
 */
export function createTwilioClient(accountSid: string, authToken: string, apiBaseUrl: string): twilio.Twilio {
  const base = apiBaseUrl.replace(/\/+$/, '');
  if (base === TWILIO_API) return twilio(accountSid, authToken);
  return twilio(accountSid, authToken, { httpClient: new RebasedRequestClient(base) });
}

class RebasedRequestClient extends RequestClient {
  constructor(private readonly base: string) {
    super({ keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.base + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}
