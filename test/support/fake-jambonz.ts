import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake, readBody } from './http-fake';
import { signJambonz } from '../../src/providers/jambonz/jambonz-signature';

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
  /**
   * Runs after a call or message is created and before the 201 answer: a test can send hooks that
   * race the gateway's own record of the sid, as jambonz's early status hooks can.
   */
  beforeCreated?: (kind: 'call' | 'message', created: { sid: string; body: Record<string, unknown> }) => Promise<void>;
  /** Posts a signed JSON hook; `timestamp` lets a test sign from another clock. */
  async post(gatewayUrl: string, path: string, payload: unknown, options: { timestamp?: number; secret?: string; signature?: string } = {}): Promise<{ status: number; text: string }> {
    const raw = JSON.stringify(payload);
    const signature = options.signature ?? signJambonz(raw, options.secret ?? JAMBONZ_SECRET, options.timestamp);
    const res = await fetch(gatewayUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', 'jambonz-signature': signature }, body: raw });
    return { status: res.status, text: await res.text() };
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
      const sid = randomUUID();
      this.calls.push({ sid, body });
      await this.beforeCreated?.('call', { sid, body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid }));
      return;
    }
    const update = new RegExp(`^/v1/Accounts/${JAMBONZ_ACCOUNT}/Calls/([0-9a-f-]{36})$`).exec(req.url ?? '');
    if (req.method === 'PUT' && update) {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const known = this.calls.some((c) => c.sid === update[1]);
      if (known) this.updates.push({ sid: update[1]!, body });
      res.writeHead(known ? 202 : 404).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: 'not found' }));
  }
}
