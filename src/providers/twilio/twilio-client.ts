import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { operationOf, outcomeOf, type ProviderCallObserver } from '../provider-calls';
import { VoiceProviderError } from '../voice-provider.port';

const TWILIO_API = 'https://api.twilio.com';

/**
 * The official client, pointed at TWILIO_API_BASE_URL when that is not api.twilio.com
 * (a Twilio-compatible API, a regional edge, or a test double), and reporting every request it
 * makes to `observe` (/metrics: provider `twilio`, the operation, its outcome and time).
 */
export function createTwilioClient(accountSid: string, authToken: string, apiBaseUrl: string, observe?: ProviderCallObserver): twilio.Twilio {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return twilio(accountSid, authToken, { httpClient: new ObservedRequestClient(base === TWILIO_API ? undefined : base, observe) });
}

/** An authenticated read of the account (readiness): no call, no message, no charge. */
export async function probeTwilioAccount(client: twilio.Twilio, accountSid: string): Promise<void> {
  await client.api.v2010.accounts(accountSid).fetch();
}

class ObservedRequestClient extends RequestClient {
  constructor(private readonly base: string | undefined, private readonly observe: ProviderCallObserver | undefined) {
    super({ keepAlive: true });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.base && opts.uri.startsWith(TWILIO_API) ? this.base + opts.uri.slice(TWILIO_API.length) : opts.uri;
    if (!this.observe) return super.request<TData>({ ...opts, uri });
    const started = process.hrtime.bigint();
    const operation = operationOf(opts.method, opts.uri);
    let status: number | undefined;
    try {
      const response = await super.request<TData>({ ...opts, uri });
      status = response.statusCode; // a 4xx/5xx is an answer here; the client turns it into an error after
      return response;
    } finally {
      this.observe('twilio', operation, outcomeOf(status), Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}

/**
 * Runs one voice request; Twilio's refusal (its message and error code) becomes a VoiceProviderError
 * saying what could not be done, which the API answers 502 with the call unchanged.
 */
export async function attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VoiceProviderError) throw error;
    // Twilio's RestException carries the HTTP `status`; an error without one never got an answer
    // (connection refused, reset, timeout). Both that and a 5xx mean Twilio did not take it.
    const e = error as { code?: unknown; message?: string; status?: unknown };
    const retryable = typeof e.status !== 'number' || e.status >= 500;
    // Twilio's own error code (a number); a socket's code (ECONNREFUSED) stays in the message only.
    const code = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : null;
    throw new VoiceProviderError(`twilio could not ${what}: ${e.message ?? 'unknown error'}${e.code ? ` (${String(e.code)})` : ''}`, false, { code, retryable });
  }
}

/**
 * The SID of a call's conference, which Conference Participants are addressed by (the call knows
 * only the friendly name it gave it, `call-<callId>`); a conference not in progress is refused.
 */
export async function conferenceSid(client: twilio.Twilio, name: string): Promise<string> {
  const [conference] = await attempt('find the conference', () => client.conferences.list({ friendlyName: name, status: 'in-progress', limit: 1 }));
  if (!conference) throw new VoiceProviderError(`conference ${name} is not in progress`);
  return conference.sid;
}

/** The friendly name of a call's conference (every Twilio call of ours is bridged in one). */
export function conferenceName(callId: string): string {
  return `call-${callId}`;
}
