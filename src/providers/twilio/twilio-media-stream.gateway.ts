import { Inject, Optional } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { mulawDecode, type Track } from '../../media/domain/pcm';
import { CallbackUrls } from '../callbacks/callback-urls';
import { CallAudioSinks, type CallAudioSink } from '../call-media.port';
import { TenantAccounts } from '../tenant-accounts.port';
import { TWILIO_MEDIA_STREAM_PATH } from './twilio.media';

/** Twilio's tracks: `inbound` is what the customer's leg sends (the customer), `outbound` what it hears (the agent). */
const TRACK_OF: Record<string, Track> = { inbound: 'customer', outbound: 'agent', inbound_track: 'customer', outbound_track: 'agent' };
/** 1008 (policy violation): the stream is not bound to a call this instance asked audio for. */
const CLOSE_POLICY = 1008;

/**
 * Twilio Media Streams (`wss://…/webhooks/twilio/media-stream`): JSON text frames with base64
 * μ-law 8 kHz audio. The upgrade must carry Twilio's signature of the URL (X-Twilio-Signature,
 * made with the auth token over the configured public URL); the `start` message must carry the
 * gateway's signed binding to one of our calls (`cid`, `sig` custom parameters) whose audio this
 * instance asked for. Audio is decoded to 16-bit PCM and fed to that call's common stream.
 */
@WebSocketGateway({ path: TWILIO_MEDIA_STREAM_PATH, maxPayload: 64 * 1024, perMessageDeflate: false })
export class TwilioMediaStreamGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly callbacks: CallbackUrls,
    private readonly sinks: CallAudioSinks,
    @Optional() private readonly accounts?: TenantAccounts,
  ) {}

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const refusal = this.refusal(info.req);
      if (refusal) done(false, 403, refusal);
      else done(true);
    };
  }

  handleConnection(socket: WebSocket): void {
    let sink: CallAudioSink | undefined;
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      sink?.end(reason);
    };
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return socket.close(CLOSE_POLICY, 'Twilio Media Streams send text frames');
      let message: TwilioStreamMessage;
      try {
        message = JSON.parse(data.toString()) as TwilioStreamMessage;
      } catch {
        return socket.close(CLOSE_POLICY, 'not JSON');
      }
      switch (message.event) {
        case 'start': {
          const params = message.start?.customParameters ?? {};
          const cid = typeof params.cid === 'string' ? params.cid : '';
          const sig = typeof params.sig === 'string' ? params.sig : '';
          if (this.callbacks.verify(TWILIO_MEDIA_STREAM_PATH, { cid, sig }) !== 'valid') return socket.close(CLOSE_POLICY, 'the stream is not bound to a call of this gateway');
          sink = this.sinks.sinkFor(cid);
          if (!sink) return socket.close(CLOSE_POLICY, 'no one on this instance asked for this call\'s audio');
          return;
        }
        case 'media': {
          const track = TRACK_OF[message.media?.track ?? ''];
          const payload = message.media?.payload;
          if (sink && track && typeof payload === 'string') sink.frame(track, mulawDecode(Buffer.from(payload, 'base64')));
          return;
        }
        case 'dtmf': {
          const digit = message.dtmf?.digit;
          if (sink && typeof digit === 'string' && /^[0-9*#A-D]$/.test(digit)) sink.dtmf(digit, TRACK_OF[message.dtmf?.track ?? ''] ?? 'customer');
          return;
        }
        case 'stop':
          end('the provider stopped the stream');
          return;
        default:
          return; // `connected`, `mark`: nothing to do
      }
    });
    socket.on('close', () => end('the provider closed the stream'));
    socket.on('error', () => end('the provider\'s stream failed'));
  }

  /**
   * Twilio signs the stream's URL (no parameters) with the auth token of the account that started
   * it: the gateway's or a tenant's own (the request says nothing else of whose it is). Which call
   * the stream is for is bound by our own signature in its `start` message, which no account's
   * token can forge.
   */
  private refusal(request: IncomingMessage): string | undefined {
    const tokens = [this.config.providers.twilio.authToken, ...(this.accounts?.accountsWith('twilio') ?? []).map((a) => a.fields.authToken ?? '')].filter(Boolean);
    if (tokens.length === 0) return 'twilio is not configured on this gateway';
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature.length === 0) return 'the X-Twilio-Signature header is missing';
    const base = this.config.http.publicBaseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
    return tokens.some((token) => validateRequest(token, signature, base + (request.url ?? ''), {})) ? undefined : 'the Twilio signature does not match';
  }
}

interface TwilioStreamMessage {
  event?: string;
  start?: { customParameters?: Record<string, unknown> };
  media?: { track?: string; payload?: unknown };
  dtmf?: { track?: string; digit?: unknown };
}
