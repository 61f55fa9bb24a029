import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
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
export class FakeTwilio {
  readonly messages: CreatedMessage[] = [];
  readonly media = new Map<string, { type: string; bytes: Buffer }>();
  /** Set to make the next Messages.json answer an error (code, status). */
  refuseNext?: { code: number; status: number; message: string };
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Stores a picture and returns its media URL, as Twilio's MediaUrlN would be. */
  addMedia(type: string, bytes: Buffer): string {
    const path = `/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM${hex()}/Media/ME${hex()}`;
    this.media.set(path, { type, bytes });
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

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const expected = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
    const path = (req.url ?? '').split('?')[0]!;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
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
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'Not found', status: 404 }));
  }
}

export function hex(): string {
  return randomBytes(16).toString('hex');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk: Buffer) => { data += chunk.toString(); });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
