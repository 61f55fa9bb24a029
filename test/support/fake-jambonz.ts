import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake, readBody } from './http-fake';
import { signJambonz } from '../../src/providers/jambonz/jambonz-signature';
import { FakeListen } from './fake-jambonz-listen';
import { FakeJambonzConferences } from './fake-jambonz-conference';

export const JAMBONZ_ACCOUNT = 'a4d2b1e0-5b7f-4c4e-9a61-0c8d5f2e7b11';
export const JAMBONZ_KEY = 'fake-jambonz-api-key';
export const JAMBONZ_SECRET = 'wh_secret_fake_jambonz_0123456789';

/**
 * A jambonz API server as its REST contract documents: `POST /v1/Accounts/{sid}/Messages` with a
 * bearer key answers 201 `{ sid }`; hooks to the gateway are signed `t=…,v1=…` over the raw body.
 */
export class FakeJambonz extends HttpFake {
  /** The gateway's `providers` settings pointing at this fake. */
  providers(): { jambonz: { apiBaseUrl: string; accountSid: string; apiKey: string; webhookSecret: string } } {
    return { jambonz: { apiBaseUrl: this.url, accountSid: JAMBONZ_ACCOUNT, apiKey: JAMBONZ_KEY, webhookSecret: JAMBONZ_SECRET } };
  }

  readonly messages: Array<{ sid: string; body: Record<string, unknown> }> = [];
  readonly calls: Array<{ sid: string; body: Record<string, unknown> }> = [];
  /** Live call control requests: `PUT /v1/Accounts/{sid}/Calls/{call_sid}`. */
  readonly updates: Array<{ sid: string; body: Record<string, unknown> }> = [];
  /** The listens jambonz runs (a dial's nested listen, a voicemail's listen), newest last. */
  readonly listens: FakeListen[] = [];
  /** Where hooks and listens go: the gateway's address and the public base its URLs are made for. */
  target?: { gatewayUrl: string; publicBase: string };
  /**
   * Runs after a call or message is created and before the 201 answer: a test can send hooks that
   * race the gateway's own record of the sid, as jambonz's early status hooks can.
   */
  beforeCreated?: (kind: 'call' | 'message', created: { sid: string; body: Record<string, unknown> }) => Promise<void>;
  /** The feature server's side of live call control: legs, conferences, the hooks it fetched (fake-jambonz-conference.ts). */
  readonly conference = new FakeJambonzConferences(JAMBONZ_ACCOUNT, (url, body) => this.callHook(url, body), async (url, body) => (await this.callHook(url, body)).status);
  /** Set to make the next `POST …/Calls` answer an error with jambonz's `{ msg }` body (no call is made). */
  refuseNextCall?: { status: number; msg: string };
  /** Posts a signed JSON hook; `timestamp` lets a test sign from another clock. */
  async post(gatewayUrl: string, path: string, payload: unknown, options: { timestamp?: number; secret?: string; signature?: string } = {}): Promise<{ status: number; text: string }> {
    const raw = JSON.stringify(payload);
    const signature = options.signature ?? signJambonz(raw, options.secret ?? JAMBONZ_SECRET, options.timestamp);
    const res = await fetch(gatewayUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', 'jambonz-signature': signature }, body: raw });
    return { status: res.status, text: await res.text() };
  }

  /** A URL the gateway made (on its public base) as this process reaches it. */
  private local(url: string, ws = false): string {
    const { gatewayUrl, publicBase } = this.target!;
    const base = ws ? publicBase.replace(/^http/, 'ws') : publicBase;
    if (!url.startsWith(base)) throw new Error(`${url} is not on the gateway's public base`);
    return (ws ? gatewayUrl.replace(/^http/, 'ws') : gatewayUrl) + url.slice(base.length);
  }

  /** Fetches a call_hook the way the feature server does (signed POST of the call's attributes); its verbs. */
  async callHook(url: string, body: Record<string, unknown>): Promise<{ status: number; verbs: Array<Record<string, unknown>> }> {
    const { gatewayUrl } = this.target!;
    const answer = await this.post(gatewayUrl, this.local(url).slice(gatewayUrl.length), body);
    return { status: answer.status, verbs: answer.status === 200 ? JSON.parse(answer.text) as Array<Record<string, unknown>> : [] };
  }

  /**
   * The customer's leg answered: jambonz fetches the call_hook and runs the dial; when the agent
   * answers, the dial's nested listen connects with the dialled leg's attributes (the customer's
   * leg as parentCallSid), as the feature server's dial does.
   */
  async answer(callSid: string, callHookUrl: string): Promise<{ verbs: Array<Record<string, unknown>>; listen?: FakeListen }> {
    const { verbs } = await this.callHook(callHookUrl, { call_sid: callSid, direction: 'outbound', call_status: 'in-progress', account_sid: JAMBONZ_ACCOUNT });
    const dial = verbs.find((v) => v.verb === 'dial');
    const nested = dial?.listen as Record<string, unknown> | undefined;
    if (!nested) return { verbs };
    const listen = await FakeListen.open(this.local(String(nested.url), true), nested, {
      callSid: randomUUID(), parentCallSid: callSid, direction: 'outbound', callStatus: 'in-progress', accountSid: JAMBONZ_ACCOUNT,
    });
    this.listens.push(listen);
    return { verbs, listen };
  }

  /**
   * A caller redirected to voicemail (the last call_hook update of the call): jambonz fetches the
   * hook, says the prompt, beeps, runs the mono listen while the caller speaks `seconds`, then the
   * caller hangs up (the listen's socket closes).
   */
  async leaveVoicemail(callSid: string, seconds: number): Promise<{ verbs: Array<Record<string, unknown>>; listen?: FakeListen }> {
    const redirect = [...this.updates].reverse().find((u) => u.sid === callSid && u.body.call_hook);
    if (!redirect) throw new Error('the call was not redirected');
    const hook = redirect.body.call_hook as { url: string };
    const { verbs } = await this.callHook(hook.url, { call_sid: callSid, direction: 'inbound', call_status: 'in-progress', account_sid: JAMBONZ_ACCOUNT });
    const verb = verbs.find((v) => v.verb === 'listen');
    if (!verb) return { verbs };
    const listen = await FakeListen.open(this.local(String(verb.url), true), verb, { callSid, direction: 'inbound', callStatus: 'in-progress', accountSid: JAMBONZ_ACCOUNT });
    this.listens.push(listen);
    await listen.stream(seconds);
    await listen.close();
    return { verbs, listen };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${JAMBONZ_KEY}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: 'unauthorized' }));
      return;
    }
    if (req.method === 'GET' && req.url === `/v1/Accounts/${JAMBONZ_ACCOUNT}`) {
      // "Retrieve an account" (the gateway's readiness probe).
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ account_sid: JAMBONZ_ACCOUNT, name: 'Fake account', is_active: true }));
      return;
    }
    if (req.method === 'POST' && req.url === `/v1/Accounts/${JAMBONZ_ACCOUNT}/Messages`) {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const sid = randomUUID();
      this.messages.push({ sid, body });
      await this.beforeCreated?.('message', { sid, body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid }));
      return;
    }
    if (req.method === 'POST' && req.url === `/v1/Accounts/${JAMBONZ_ACCOUNT}/Calls`) {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      if (this.refuseNextCall) {
        const { status, msg } = this.refuseNextCall;
        this.refuseNextCall = undefined;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ msg }));
        return;
      }
      const refused = FakeJambonzConferences.createRefusal(body);
      if (refused) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: refused }));
        return;
      }
      const sid = randomUUID();
      this.calls.push({ sid, body });
      this.conference.created(sid, body);
      await this.beforeCreated?.('call', { sid, body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid }));
      return;
    }
    const update = new RegExp(`^/v1/Accounts/${JAMBONZ_ACCOUNT}/Calls/([0-9a-f-]{36})$`).exec(req.url ?? '');
    if (req.method === 'PUT' && update) {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const known = this.calls.some((c) => c.sid === update[1]) || this.conference.knows(update[1]!);
      if (known) this.updates.push({ sid: update[1]!, body });
      const refused = known ? FakeJambonzConferences.updateRefusal(body) : undefined;
      const applied = known && !refused ? this.conference.control(update[1]!, body) : undefined;
      if (refused || (applied && applied.status !== 202)) {
        res.writeHead(refused ? 400 : applied!.status, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: refused ?? applied!.msg }));
        return;
      }
      // forkAudioPause / forkAudioResume of the call's running listens (a dial's listen names the call as parent).
      if (known && (body.listen_status === 'pause' || body.listen_status === 'resume')) {
        for (const l of this.listens) if (l.callSid === update[1]) l.paused = body.listen_status === 'pause';
      }
      res.writeHead(known ? 202 : 404).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: 'not found' }));
  }
}
