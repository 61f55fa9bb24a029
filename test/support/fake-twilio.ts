import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake, readBody } from './http-fake';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

export const TWILIO_SID = `AC${'0'.repeat(32)}`;
export const TWILIO_TOKEN = 'fake-twilio-auth-token-0123456789';

export interface CreatedMessage {
  sid: string;
  /** The account it was created in (the Basic auth's SID, which must own the path). */
  account: string;
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
  account: string;
  method: string;
  path: string;
  params: URLSearchParams;
}

export class FakeTwilio extends HttpFake {
  readonly messages: CreatedMessage[] = [];
  readonly voice: VoiceRequest[] = [];
  /** friendly name → conference SID, for conferences with participants. */
  readonly conferences = new Map<string, string>();
  /** conference SID → label → participant, as the Conference Participants resource keeps them. */
  readonly participants = new Map<string, Map<string, FakeParticipant>>();
  readonly media = new Map<string, { type: string; bytes: Buffer }>();
  /** Media paths answered with a redirect (as Twilio redirects to a signed CDN URL). */
  readonly mediaRedirects = new Map<string, { status: number; location: string }>();
  /** Every request the fake received: method, path and whether it carried the credentials of the account it addressed. */
  readonly requests: Array<{ method: string; path: string; authorized: boolean }> = [];
  /** Account SID → auth token: the main account, and any added (a tenant's own account). */
  readonly accounts = new Map<string, string>([[TWILIO_SID, TWILIO_TOKEN]]);

  /** Another account the fake answers for, with its own auth token. */
  addAccount(sid: string, token: string): void {
    this.accounts.set(sid, token);
  }
  /** Set to make the next Messages.json answer an error (code, status). */
  refuseNext?: { code: number; status: number; message: string };
  /** Set to make the next Calls.json (placing a call) answer an error, as Twilio's REST errors read. */
  refuseNextCall?: { code: number; status: number; message: string };
  /** Set to make the next Calls.json answer (and so the call) only after this many ms: a slow API. */
  delayNextCallMs?: number;
  /** Stores a picture and returns its media URL, as Twilio's MediaUrlN would be. */
  addMedia(type: string, bytes: Buffer, account = TWILIO_SID): string {
    const path = `/2010-04-01/Accounts/${account}/Messages/MM${hex()}/Media/ME${hex()}`;
    this.media.set(path, { type, bytes });
    return this.url + path;
  }

  /** A media URL that answers `status` with `location` (after checking the credentials, as Twilio does). */
  addMediaRedirect(location: string, status = 307): string {
    const path = `/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM${hex()}/Media/ME${hex()}`;
    this.mediaRedirects.set(path, { status, location });
    return this.url + path;
  }

  /** Posts a form webhook to the gateway, signed as Twilio signs it for `publicUrl` (with `token`, the main account's by default). */
  async post(gatewayUrl: string, publicBase: string, pathAndQuery: string, params: Record<string, string>, signature?: string, token = TWILIO_TOKEN): Promise<{ status: number; text: string; type: string | null }> {
    const sig = signature ?? getExpectedTwilioSignature(token, publicBase + pathAndQuery, params);
    const res = await fetch(gatewayUrl + pathAndQuery, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Basic auth with an account's SID and token; the path must be that account's (Twilio answers 401 for another's).
    const [account = '', token] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
    const path = (req.url ?? '').split('?')[0]!;
    const authorized = /^Basic /.test(req.headers.authorization ?? '') && this.accounts.get(account) === token && path.startsWith(`/2010-04-01/Accounts/${account}`);
    this.requests.push({ method: req.method ?? '', path, authorized });
    if (!authorized) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
      return;
    }
    if (req.method === 'GET' && path === `/2010-04-01/Accounts/${account}.json`) {
      // The account resource, as Twilio answers it (the gateway's readiness probe reads it).
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        sid: account, owner_account_sid: account, friendly_name: 'Fake account', status: 'active', type: 'Full',
        date_created: 'Thu, 01 Jan 2026 00:00:00 +0000', date_updated: 'Thu, 01 Jan 2026 00:00:00 +0000', auth_token: token,
        uri: `/2010-04-01/Accounts/${account}.json`, subresource_uris: {},
      }));
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
    if (req.method === 'POST' && path === `/2010-04-01/Accounts/${account}/Messages.json`) {
      const params = new URLSearchParams(await readBody(req));
      if (this.refuseNext) {
        const { code, status, message } = this.refuseNext;
        this.refuseNext = undefined;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message, more_info: '', status }));
        return;
      }
      const sid = `SM${hex()}`;
      this.messages.push({ sid, account, params, authorization: req.headers.authorization });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
        sid, account_sid: account, to: params.get('To'), from: params.get('From'), body: params.get('Body'),
        status: 'queued', num_segments: '1', num_media: String(params.getAll('MediaUrl').length), direction: 'outbound-api',
        api_version: '2010-04-01', date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${account}/Messages/${sid}.json`,
      }));
      return;
    }
    if (this.handleVoice(req, res, path, await readBody(req), account)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'Not found', status: 404 }));
  }

  /** Calls, conferences and participants, as the Voice API answers them. */
  private handleVoice(req: IncomingMessage, res: ServerResponse, path: string, body: string, account: string): boolean {
    const base = `/2010-04-01/Accounts/${account}`;
    const params = new URLSearchParams(req.method === 'GET' ? (req.url ?? '').split('?')[1] ?? '' : body);
    const json = (status: number, payload: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    const record = () => this.voice.push({ account, method: req.method ?? '', path, params });
    const error = (status: number, code: number, message: string) => json(status, { code, message, more_info: "", status });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === `${base}/Calls.json`) {
      if (this.refuseNextCall) {
        const { code, status, message } = this.refuseNextCall;
        this.refuseNextCall = undefined;
        // A refused call is none: it is not recorded among the requests that made calls.
        return error(status, code, message), true;
      }
      const sid = `CA${hex()}`;
      const create = () => {
        record();
        json(201, { sid, account_sid: account, to: params.get('To'), from: params.get('From'), status: 'queued', direction: 'outbound-api', uri: `${base}/Calls/${sid}.json` });
      };
      const delay = this.delayNextCallMs;
      this.delayNextCallMs = undefined;
      if (delay) setTimeout(create, delay);
      else create();
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})\\.json$`).exec(path))) {
      record();
      json(200, { sid: m[1], account_sid: account, status: params.get('Status') ?? 'in-progress', uri: `${base}/Calls/${m[1]}.json` });
      return true;
    }
    if (req.method === 'POST' && (m = new RegExp(`^${base}/Conferences/([^/]+)/Participants\\.json$`).exec(path))) {
      record();
      // Participants are created by the conference's friendly name (it starts the conference) or its SID.
      const name = decodeURIComponent(m[1]!);
      const known = name.startsWith('CF') ? name : this.conferences.get(name);
      if (name.startsWith('CF') && !this.participants.has(name)) return error(404, 20404, `The requested resource ${path} was not found`), true;
      const conference = known ?? `CF${hex()}`;
      this.conferences.set(name, conference);
      // The customer joined by TwiML (<Dial><Conference participantLabel="customer">), which the fake does not see.
      const parties = this.participants.get(conference) ?? new Map([['customer', participant(conference, 'customer', `CA${hex()}`)]]);
      this.participants.set(conference, parties);
      if (!params.get('To') || !params.get('From')) return error(400, 21604, 'A \'To\' and a \'From\' phone number are required.'), true;
      const label = params.get('Label') ?? undefined;
      if (label && parties.has(label)) return error(400, 16024, `A participant with label ${label} already exists`), true;
      const coaching = params.get('Coaching') === 'true';
      const coached = params.get('CallSidToCoach');
      if (coaching && ![...parties.values()].some((p) => p.call_sid === coached)) return error(400, 16025, 'CallSidToCoach must be a participant of the conference'), true;
      const created = {
        ...participant(conference, label ?? null, `CA${hex()}`), status: 'queued', muted: params.get('Muted') === 'true', coaching,
        call_sid_to_coach: coaching ? coached : null, end_conference_on_exit: params.get('EndConferenceOnExit') === 'true',
      };
      parties.set(label ?? created.call_sid, created);
      json(201, created);
      return true;
    }
    if (req.method === 'GET' && path === `${base}/Conferences.json`) {
      record();
      const name = params.get('FriendlyName') ?? '';
      const sid = this.conferences.get(name);
      const conferences = sid ? [{ sid, account_sid: account, friendly_name: name, status: 'in-progress' }] : [];
      json(200, { conferences, page: 0, page_size: 1, start: 0, end: conferences.length, first_page_uri: path, next_page_uri: null, previous_page_uri: null, uri: path });
      return true;
    }
    if ((m = new RegExp(`^${base}/Conferences/(CF[0-9a-f]{32})/Participants/([^/]+)\\.json$`).exec(path))) {
      record();
      // A participant is addressed by its CallSid or its label.
      const parties = this.participants.get(m[1]!);
      const key = decodeURIComponent(m[2]!);
      const found = parties && ([...parties.entries()].find(([label, p]) => label === key || p.call_sid === key));
      if (!found) return error(404, 20404, `The requested resource ${path} was not found`), true;
      const [label, party] = found;
      if (req.method === 'DELETE') {
        parties!.delete(label);
        res.writeHead(204).end();
        return true;
      }
      if (req.method === 'POST') {
        const flag = (name: string) => (params.has(name) ? params.get(name) === 'true' : undefined);
        party.hold = flag('Hold') ?? party.hold;
        party.muted = flag('Muted') ?? party.muted;
        party.end_conference_on_exit = flag('EndConferenceOnExit') ?? party.end_conference_on_exit;
        party.coaching = flag('Coaching') ?? party.coaching;
        if (params.has('CallSidToCoach')) party.call_sid_to_coach = params.get('CallSidToCoach');
        if (party.coaching && ![...parties!.values()].some((p) => p !== party && p.call_sid === party.call_sid_to_coach)) {
          return error(400, 16025, 'CallSidToCoach must be a participant of the conference'), true;
        }
        if (!party.coaching) party.call_sid_to_coach = null;
      }
      json(200, party);
      return true;
    }
    return false;
  }
}

export function hex(): string {
  return randomBytes(16).toString('hex');
}

/** A Conference Participant resource, in Twilio's JSON field names. */
export interface FakeParticipant {
  account_sid: string;
  call_sid: string;
  conference_sid: string;
  label: string | null;
  status: string;
  hold: boolean;
  muted: boolean;
  coaching: boolean;
  call_sid_to_coach: string | null;
  end_conference_on_exit: boolean;
}

function participant(conference: string, label: string | null, callSid: string): FakeParticipant {
  return {
    account_sid: TWILIO_SID, call_sid: callSid, conference_sid: conference, label, status: 'connected', hold: false, muted: false,
    coaching: false, call_sid_to_coach: null, end_conference_on_exit: true,
  };
}
