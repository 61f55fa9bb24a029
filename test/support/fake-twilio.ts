import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake, readBody } from './http-fake';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

export const TWILIO_SID = `AC${'0'.repeat(32)}`;
export const TWILIO_TOKEN = 'fake-twilio-auth-token-0123456789';

export interface CreatedMessage {
  sid: string;
  params: URLSearchParams;
  authorization: string | undefined;
}

/**
 * A stand-in for api.twilio.com speaking its wire format: form-encoded Messages.json with Basic
 * auth, JSON answers, media behind Basic auth; and callbacks to the gateway signed with Twilio's
 * own algorithm over the gateway's public URL.
 */
/** Every voice API request the fake received, in order. */
export interface VoiceRequest {
  method: string;
  path: string;
  params: URLSearchParams;
}

export class FakeTwilio extends HttpFake {
  readonly messages: CreatedMessage[] = [];
  readonly voice: VoiceRequest[] = [];
  /** friendly name → conference SID, for conferences with participants. */
  readonly conferences = new Map<string, string>();
  readonly media = new Map<string, { type: string; bytes: Buffer }>();
  /** Media paths answered with a redirect (as Twilio redirects to a signed CDN URL). */
  readonly mediaRedirects = new Map<string, { status: number; location: string }>();
  /** Every request the fake received: method, path and whether it carried the account's credentials. */
  readonly requests: Array<{ method: string; path: string; authorized: boolean }> = [];
  /** Set to make the next Messages.json answer an error (code, status). */
  refuseNext?: { code: number; status: number; message: string };
  /** Stores a picture and returns its media URL, as Twilio's MediaUrlN would be. */
  addMedia(type: string, bytes: Buffer): string {
    const path = `/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM${hex()}/Media/ME${hex()}`;
    this.media.set(path, { type, bytes });
    return this.url + path;
  }

  /** A media URL that answers `status` with `location` (after checking the credentials, as Twilio does). */
  addMediaRedirect(location: string, status = 307): string {
    const path = `/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM${hex()}/Media/ME${hex()}`;
    this.mediaRedirects.set(path, { status, location });
    return this.url + path;
  }

  /** Posts a form webhook to the gateway, signed as Twilio signs it for `publicUrl`. */
  async post(gatewayUrl: string, publicBase: string, pathAndQuery: string, params: Record<string, string>, signature?: string): Promise<{ status: number; text: string; type: string | null }> {
    const sig = signature ?? getExpectedTwilioSignature(TWILIO_TOKEN, publicBase + pathAndQuery, params);
    const res = await fetch(gatewayUrl + pathAndQuery, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const expected = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path, authorized: req.headers.authorization === expected });
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
      return;
    }
    const redirect = this.mediaRedirects.get(path);
    if (redirect && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(redirect.status, { location: redirect.location }).end();
      return;
    }
    const media = this.media.get(path);
    if (media && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': media.type, 'content-length': media.bytes.length });
      res.end(req.method === 'GET' ? media.bytes : undefined);
      return;
    }
    if (req.method === 'POST' && path === `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`) {
      const params = new URLSearchParams(await readBody(req));
      if (this.refuseNext) {
        const { code, status, message } = this.refuseNext;
        this.refuseNext = undefined;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message, more_info: '', status }));
        return;
      }
      const sid = `SM${hex()}`;
      this.messages.push({ sid, params, authorization: req.headers.authorization });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
        sid, account_sid: TWILIO_SID, to: params.get('To'), from: params.get('From'), body: params.get('Body'),
        status: 'queued', num_segments: '1', num_media: String(params.getAll('MediaUrl').length), direction: 'outbound-api',
        api_version: '2010-04-01', date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${TWILIO_SID}/Messages/${sid}.json`,
      }));
      return;
    }
    if (this.handleVoice(req, res, path, await readBody(req))) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'Not found', status: 404 }));
  }

  /** Calls, conferences and participants, as the Voice API answers them. */
  private handleVoice(req: IncomingMessage, res: ServerResponse, path: string, body: string): boolean {
    const base = `/2010-04-01/Accounts/${TWILIO_SID}`;
    const params = new URLSearchParams(req.method === 'GET' ? (req.url ?? '').split('?')[1] ?? '' : body);
    const json = (status: number, payload: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    const record = () => this.voice.push({ method: req.method ?? '', path, params });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === `${base}/Calls.json`) {
      record();
      const sid = `CA${hex()}`;
      json(201, { sid, account_sid: TWILIO_SID, to: params.get('To'), from: params.get('From'), status: 'queued', direction: 'outbound-api', uri: `${base}/Calls/${sid}.json` });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})\\.json$`).exec(path))) {
      record();
      json(200, { sid: m[1], account_sid: TWILIO_SID, status: params.get('Status') ?? 'in-progress', uri: `${base}/Calls/${m[1]}.json` });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^${base}/Conferences/([^/]+)/Participants\\.json$`).exec(path))) {
      record();
      const name = decodeURIComponent(m[1]!);
      const conference = this.conferences.get(name) ?? `CF${hex()}`;
      this.conferences.set(name, conference);
      json(201, { account_sid: TWILIO_SID, call_sid: `CA${hex()}`, conference_sid: conference, label: params.get('Label'), status: 'queued', muted: false, hold: false });
      return true;
    }
    if (req.method === 'GET' && path === `${base}/Conferences.json`) {
      record();
      const name = params.get('FriendlyName') ?? '';
      const sid = this.conferences.get(name);
      const conferences = sid ? [{ sid, account_sid: TWILIO_SID, friendly_name: name, status: 'in-progress' }] : [];
      json(200, { conferences, page: 0, page_size: 1, start: 0, end: conferences.length, first_page_uri: path, next_page_uri: null, previous_page_uri: null, uri: path });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^${base}/Conferences/(CF[0-9a-f]{32})/Participants/([^/]+)\\.json$`).exec(path))) {
      record();
      json(200, { account_sid: TWILIO_SID, conference_sid: m[1], label: m[2], hold: params.get('Hold') === 'true', muted: params.get('Muted') === 'true', status: 'connected' });
      return true;
    }
    return false;
  }
}

export function hex(): string {
  return randomBytes(16).toString('hex');
}
