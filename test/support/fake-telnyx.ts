import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpFake, readBody } from './http-fake';
import { signTelnyx } from '../../src/providers/telnyx/telnyx-signature';

export const TELNYX_API_KEY = 'KEY0123456789ABCDEF_fake_telnyx';
export const TELNYX_PROFILE = '0f512bda-ae1e-4597-8e11-e5f5686b97d3';

/** An Ed25519 pair: the private key signs, the public one is configured as Telnyx's portal shows it. */
export function telnyxKeyPair(): { privateKey: KeyObject; publicKeyBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, publicKeyBase64: Buffer.from(x, 'base64url').toString('base64') };
}

export interface SentMessage {
  id: string;
  body: { from: string; to: string; text?: string; media_urls?: string[]; webhook_url: string; [key: string]: unknown };
}

/**
 * Telnyx's Messaging API as its reference describes it: `POST /v2/messages` with a bearer API key
 * answers 200 `{ data: <message> }` (errors `{ errors: [{ code, title, detail }] }`); webhooks to
 * the gateway are `{ data: { event_type, payload }, meta }` signed with Ed25519 over
 * `timestamp|body`, with a key pair made for this fake.
 */
export class FakeTelnyx extends HttpFake {
  readonly keys = telnyxKeyPair();
  readonly messages: SentMessage[] = [];
  /** The next `POST /v2/messages` is refused with this Telnyx error. */
  refuseNext?: { status: number; code: string; title: string; detail?: string };
  /** Media this fake serves at `/media/…` (the test points TELNYX_MEDIA_PREFIXES here). */
  private readonly media = new Map<string, { type: string; bytes: Buffer }>();

  /** The gateway's `providers` settings pointing at this fake. */
  providers(): { telnyx: { apiKey: string; publicKey: string; apiBaseUrl: string; messagingProfileId: string; mediaPrefixes: string[] } } {
    return {
      telnyx: { apiKey: TELNYX_API_KEY, publicKey: this.keys.publicKeyBase64, apiBaseUrl: this.url, messagingProfileId: TELNYX_PROFILE, mediaPrefixes: [`${this.url}/media/`] },
    };
  }

  addMedia(type: string, bytes: Buffer): string {
    const path = `/media/${randomUUID()}`;
    this.media.set(path, { type, bytes });
    return `${this.url}${path}?X-Amz-Signature=fake`;
  }

  /** A `message.received` event, as the messaging profile's webhook gets it. */
  inboundEvent(from: string, to: string, text: string, media: Array<{ url: string; content_type: string; size?: number }> = [], id = randomUUID()): Record<string, unknown> {
    return envelope('message.received', {
      record_type: 'message', direction: 'inbound', id, type: media.length > 0 ? 'MMS' : 'SMS', messaging_profile_id: TELNYX_PROFILE,
      from: { phone_number: from, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' },
      to: [{ phone_number: to, status: 'webhook_delivered', carrier: 'TELNYX LLC', line_type: 'VoIP' }],
      cc: [], text, media, encoding: 'GSM-7', parts: 1, errors: [], received_at: new Date().toISOString(),
    });
  }

  /** `message.sent` / `message.finalized` of a message this fake took, with its recipient's status. */
  statusEvent(message: SentMessage, status: string, errors: Array<{ code: string; title: string; detail?: string }> = []): Record<string, unknown> {
    const finalized = !['queued', 'sending', 'sent'].includes(status);
    return envelope(finalized ? 'message.finalized' : 'message.sent', {
      record_type: 'message', direction: 'outbound', id: message.id, type: message.body.media_urls ? 'MMS' : 'SMS',
      messaging_profile_id: TELNYX_PROFILE, from: { phone_number: message.body.from, carrier: 'TELNYX LLC', line_type: 'VoIP' },
      to: [{ phone_number: message.body.to, status, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
      cc: [], text: message.body.text ?? '', media: [], webhook_url: message.body.webhook_url, errors,
      completed_at: finalized ? new Date().toISOString() : null,
    });
  }

  /**
   * Posts a signed event. `timestamp` signs from another clock, `privateKey` with another key,
   * `headers` replaces the signature headers altogether.
   */
  async post(gatewayUrl: string, path: string, event: unknown, options: { timestamp?: number; privateKey?: KeyObject; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
    const raw = JSON.stringify(event);
    const signature = options.headers ?? signTelnyx(raw, options.privateKey ?? this.keys.privateKey, options.timestamp);
    const res = await fetch(gatewayUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...signature }, body: raw });
    return { status: res.status, text: await res.text() };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const media = this.media.get((req.url ?? '').split('?', 1)[0]!);
    if (media && (req.method === 'GET' || req.method === 'HEAD')) {
      // Presigned links need no credentials; one that came with the API key would be a leak.
      if (req.headers.authorization) return json(res, 400, { errors: [{ code: '10001', title: 'Unexpected credentials' }] });
      res.writeHead(200, { 'content-type': media.type, 'content-length': String(media.bytes.length) }).end(req.method === 'GET' ? media.bytes : undefined);
      return;
    }
    if (req.headers.authorization !== `Bearer ${TELNYX_API_KEY}`) {
      return json(res, 401, { errors: [{ code: '10009', title: 'Authentication failed', detail: 'The API key is missing or invalid.' }] });
    }
    if (req.method === 'GET' && req.url === '/v2/balance') {
      // The account's balance (the gateway's readiness probe).
      return json(res, 200, { data: { record_type: 'balance', balance: '300.00', pending: '0.00', credit_limit: '0.00', available_credit: '300.00', currency: 'USD' } });
    }
    if (req.method === 'POST' && req.url === '/v2/messages') {
      const body = JSON.parse(await readBody(req)) as SentMessage['body'];
      const refusal = this.refuseNext;
      this.refuseNext = undefined;
      if (refusal) return json(res, refusal.status, { errors: [{ code: refusal.code, title: refusal.title, detail: refusal.detail }] });
      if (!/^\+[1-9]\d{6,14}$/.test(body.to)) {
        return json(res, 400, { errors: [{ code: '40310', title: 'Invalid \'to\' address', detail: 'The \'to\' address should be in E.164 format.' }] });
      }
      const message = { id: randomUUID(), body };
      this.messages.push(message);
      return json(res, 200, {
        data: {
          record_type: 'message', direction: 'outbound', id: message.id, type: body.media_urls ? 'MMS' : 'SMS', messaging_profile_id: TELNYX_PROFILE,
          from: { phone_number: body.from, carrier: 'TELNYX LLC', line_type: 'VoIP' },
          to: [{ phone_number: body.to, status: 'queued', carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
          cc: [], text: body.text ?? '', media: (body.media_urls ?? []).map((url) => ({ url, content_type: null, sha256: null, size: null })),
          webhook_url: body.webhook_url, encoding: 'GSM-7', parts: 1, errors: [], received_at: new Date().toISOString(),
        },
      });
    }
    return json(res, 404, { errors: [{ code: '10005', title: 'Resource not found' }] });
  }
}

function envelope(eventType: string, payload: Record<string, unknown>): Record<string, unknown> {
  return {
    data: { record_type: 'event', id: randomUUID(), event_type: eventType, occurred_at: new Date().toISOString(), payload },
    meta: { attempt: 1, delivered_to: 'https://gateway.example.com/' },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
