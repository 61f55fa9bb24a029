import { Inject } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { LOGGER } from '../../common/logging/logger.token';
import { BASE_RATE, concat, toLeBytes } from '../../media/domain/pcm';
import { wavHeader } from '../../media/domain/wav';
import { CallbackUrls } from '../callbacks/callback-urls';
import { CallAudioSinks, RecordingReportReceiver } from '../call-media.port';
import {
  dtmfOf, JAMBONZ_AUDIO_PROTOCOL, JAMBONZ_LISTEN_PATH, JAMBONZ_VOICEMAIL_CAP_SECONDS, L16Splitter, metadataNames, STEREO_TRACKS,
} from './jambonz-listen';

/** 1008 (policy violation): the listen does not speak for the call its URL is bound to. */
const CLOSE_POLICY = 1008;

type ListenRequest = IncomingMessage & { binding?: Binding };
interface Binding { cid: string; sid: string; rid?: string }

/**
 * jambonz's `listen` (`wss://…/webhooks/jambonz/listen?cid=…&sid=…[&rid=…]&sig=…`, subprotocol
 * `audio.jambonz.org`). The upgrade needs the gateway's signature of the URL, made when the
 * gateway answered the call_hook of one of its jambonz calls: only that path and those
 * parameters, so a valid URL is a call we placed (or took in) over jambonz. The first text frame
 * (jambonz's call attributes) must name the customer's leg the URL was made for; then come binary
 * L16 frames at 8 kHz, and `dtmf` text frames. The signed URL is the whole proof (jambonz's
 * `wsAuth` would be one more shared secret, and a tenant's own jambonz account has none for it).
 *
 * - A call's listen (nested in the dial, stereo) feeds the call's audio on this instance when
 *   someone asked for it (the audio hub's sink), and is dropped otherwise; the socket stays open
 *   either way, since jambonz cannot start a listen again without replacing the dial. Its close
 *   ends nothing: a transfer re-dials with a new listen, and the call's end ends its audio.
 * - A voicemail's listen (`rid`, mono) is the caller's message: when it closes (the caller hung
 *   up, `#`, or jambonz's maxLength) the gateway reports it as the recording's file, a one-channel
 *   WAV, through the same receiver as a provider's finished recording.
 */
@WebSocketGateway({ path: JAMBONZ_LISTEN_PATH, maxPayload: 64 * 1024, perMessageDeflate: false })
export class JambonzListenGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly callbacks: CallbackUrls,
    private readonly sinks: CallAudioSinks,
    private readonly recordings: RecordingReportReceiver,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: ListenRequest }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const verdict = this.admit(info.req);
      if (typeof verdict === 'string') return done(false, verdict.startsWith('the subprotocol') ? 400 : 403, verdict);
      info.req.binding = verdict;
      done(true);
    };
    server.options.handleProtocols = (protocols: Set<string>) => (protocols.has(JAMBONZ_AUDIO_PROTOCOL) ? JAMBONZ_AUDIO_PROTOCOL : false);
  }

  handleConnection(socket: WebSocket, request: ListenRequest): void {
    const binding = request.binding!;
    if (binding.rid) this.voicemail(socket, { ...binding, rid: binding.rid });
    else this.callAudio(socket, binding);
  }

  private callAudio(socket: WebSocket, binding: Binding): void {
    const split = new L16Splitter(2);
    let introduced = false;
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!introduced) {
        introduced = this.introduced(socket, data, isBinary, binding);
        return;
      }
      // Looked up per frame: the hub's sink of the call comes and goes with its listeners.
      const sink = this.sinks.sinkFor(binding.cid);
      if (isBinary) {
        const channels = split.push(asBuffer(data));
        if (sink && channels[0]!.length > 0) STEREO_TRACKS.forEach((track, c) => sink.frame(track, channels[c]!));
        return;
      }
      const digit = dtmfOf(parse(data));
      // passDtmf reports the keys of the listen's endpoint: the customer's leg.
      if (digit && sink) sink.dtmf(digit, 'customer');
    });
  }

  private voicemail(socket: WebSocket, binding: Binding & { rid: string }): void {
    const split = new L16Splitter(1);
    const parts: Int16Array[] = [];
    let samples = 0;
    let introduced = false;
    let over = false;
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!introduced) {
        introduced = this.introduced(socket, data, isBinary, binding);
        return;
      }
      if (!isBinary || samples >= JAMBONZ_VOICEMAIL_CAP_SECONDS * BASE_RATE) return;
      const [mono] = split.push(asBuffer(data));
      parts.push(mono!);
      samples += mono!.length;
    });
    const finish = () => {
      if (over || !introduced) return;
      over = true;
      void this.storeVoicemail(binding, concat(parts)).catch((error: unknown) => {
        this.logger.error({ err: error, recordingId: binding.rid }, 'a jambonz voicemail could not be stored');
      });
    };
    socket.on('close', finish);
    socket.on('error', finish);
  }

  /** The caller's message as the recording's file; nothing said (no audio) is jambonz's way of "absent". */
  private async storeVoicemail(binding: Binding & { rid: string }, samples: Int16Array): Promise<void> {
    const base = { provider: 'jambonz', recordingId: binding.rid, providerRef: binding.sid };
    if (samples.length === 0) return this.recordings.absent(base);
    const pcm = toLeBytes(samples);
    const wav = Buffer.concat([wavHeader(pcm.length, { channels: 1, sampleRate: BASE_RATE }), pcm]);
    await this.recordings.recorded({ ...base, durationSeconds: samples.length / BASE_RATE, fetch: async () => new Response(wav, { headers: { 'content-type': 'audio/wav' } }) });
  }

  /** The first frame: jambonz's metadata, which must be about the leg the URL was signed for. */
  private introduced(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean, binding: Binding): boolean {
    if (!isBinary && metadataNames(parse(data), binding.sid)) return true;
    socket.close(CLOSE_POLICY, 'the first frame must be the metadata of the call this listen is bound to');
    return false;
  }

  /** The binding of a listen URL, or why it is refused. */
  private admit(request: IncomingMessage): Binding | string {
    const offered = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(JAMBONZ_AUDIO_PROTOCOL)) return `the subprotocol ${JAMBONZ_AUDIO_PROTOCOL} is required`;
    const url = new URL(request.url ?? '/', 'ws://gateway.invalid');
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(name);
      query[name] = values.length === 1 ? values[0]! : values;
    }
    if (this.callbacks.verify(JAMBONZ_LISTEN_PATH, query) !== 'valid') return 'the listen URL is not one this gateway made';
    const { cid, sid, rid } = query as Record<string, string | undefined>;
    if (!cid || !sid) return 'the listen URL names no call';
    return { cid, sid, ...(rid ? { rid } : {}) };
  }
}

function asBuffer(data: WebSocket.RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function parse(data: WebSocket.RawData): unknown {
  try {
    return JSON.parse(asBuffer(data).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
