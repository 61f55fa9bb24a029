import type { IncomingMessage, ServerResponse } from 'node:http';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import WebSocket from 'ws';
import { interleave, mulawEncode, SAMPLES_PER_FRAME, toLeBytes, tone } from '../../src/media/domain/pcm';
import { wavHeader } from '../../src/media/domain/wav';
import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from './fake-twilio';
import { readBody } from './http-fake';

/** A recording as the fake keeps it: when it ran and was paused, by the fake's clock. */
export interface FakeRecording {
  sid: string;
  callSid: string;
  params: URLSearchParams;
  startedAt: number;
  /** Paused spans [from, to] and how each treats the audio. */
  pauses: Array<{ from: number; to: number | null; behavior: 'skip' | 'silence' }>;
  stoppedAt: number | null;
  status: 'in-progress' | 'paused' | 'stopped';
  /** A `<Record>` verb's recording: the caller alone, one channel (RecordingSource RecordVerb). */
  verb?: boolean;
}

export interface FakeStream {
  sid: string;
  callSid: string;
  params: URLSearchParams;
  status: 'in-progress' | 'stopped';
}

/**
 * FakeTwilio plus the Calls subresources for media, in Twilio's wire format: Recordings
 * (create, update to paused / in-progress / stopped with PauseBehavior), the recording's audio as
 * a dual-channel WAV behind the account's credentials, the signed recording status callback, and
 * Streams (create, stop) with a Media Streams client that connects to the gateway as Twilio does:
 * X-Twilio-Signature over the stream URL, then `connected`, `start` (custom parameters), base64
 * μ-law `media` per track, `dtmf` and `stop` text frames.
 *
 * The recordings' audio is made up the way Twilio would record it: a 440 Hz customer and a 660 Hz
 * agent, silence for a `silence` pause, nothing for a `skip` pause.
 */
export class FakeTwilioMedia extends FakeTwilio {
  readonly recordings = new Map<string, FakeRecording>();
  readonly streams = new Map<string, FakeStream>();
  /** Where the recording callbacks go: the gateway's address and the public base it signs for. */
  target?: { gatewayUrl: string; publicBase: string };
  /** Answers of the recording callbacks the fake posted. */
  readonly callbackAnswers: number[] = [];

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = `/2010-04-01/Accounts/${TWILIO_SID}`;
    const path = (req.url ?? '').split('?')[0]!;
    const json = (status: number, payload: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    const authorized = req.headers.authorization === `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
    const media = (new RegExp(`^${base}/Recordings/(RE[0-9a-f]{32})(\\.wav)?$`).exec(path));
    const routes = [
      new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})/Recordings\\.json$`), new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\\.json$`),
      new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})/Streams\\.json$`), new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})/Streams/(MZ[0-9a-f]{32})\\.json$`),
    ];
    const route = routes.findIndex((r) => r.test(path));
    if (!media && route < 0) return super.handle(req, res);
    this.requests.push({ method: req.method ?? '', path, authorized });
    if (!authorized) return void json(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (media && req.method === 'GET') {
      const recording = this.recordings.get(media[1]!);
      if (!recording || recording.status !== 'stopped') return void json(404, { code: 20404, message: 'Not found', status: 404 });
      const bytes = this.wavOf(recording);
      return void res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': bytes.length }).end(bytes);
    }
    const params = new URLSearchParams(await readBody(req));
    this.voice.push({ account: TWILIO_SID, method: req.method ?? '', path, params });
    const [, callSid, childSid] = routes[route]!.exec(path)!;
    const now = performance.now();
    switch (route) {
      case 0: {
        const sid = `RE${hex()}`;
        this.recordings.set(sid, { sid, callSid: callSid!, params, startedAt: now, pauses: [], stoppedAt: null, status: 'in-progress' });
        return void json(201, { sid, account_sid: TWILIO_SID, call_sid: callSid, status: 'in-progress', channels: 2, source: 'StartCallRecordingAPI', track: params.get('RecordingTrack') ?? 'both', uri: `${base}/Calls/${callSid}/Recordings/${sid}.json` });
      }
      case 1: {
        const recording = this.recordings.get(childSid!);
        if (!recording || recording.callSid !== callSid || recording.status === 'stopped') return void json(404, { code: 20404, message: 'Not found', status: 404 });
        this.setStatus(recording, params.get('Status') ?? '', (params.get('PauseBehavior') ?? 'silence') as 'skip' | 'silence', now);
        return void json(200, { sid: recording.sid, account_sid: TWILIO_SID, call_sid: callSid, status: recording.status, channels: 2, uri: `${base}/Calls/${callSid}/Recordings/${recording.sid}.json` });
      }
      case 2: {
        const sid = `MZ${hex()}`;
        this.streams.set(sid, { sid, callSid: callSid!, params, status: 'in-progress' });
        return void json(201, { sid, account_sid: TWILIO_SID, call_sid: callSid, name: params.get('Name'), status: 'in-progress', uri: `${base}/Calls/${callSid}/Streams/${sid}.json` });
      }
      default: {
        const stream = this.streams.get(childSid!);
        if (!stream) return void json(404, { code: 20404, message: 'Not found', status: 404 });
        stream.status = 'stopped';
        return void json(200, { sid: stream.sid, account_sid: TWILIO_SID, call_sid: callSid, status: 'stopped' });
      }
    }
  }

  /** The call ended: Twilio stops its recordings (and reports them). */
  endCall(callSid: string): void {
    for (const r of this.recordings.values()) if (r.callSid === callSid && r.status !== 'stopped') this.setStatus(r, 'stopped', 'silence', performance.now());
  }

  /**
   * The caller leaves a `seconds` long message on the `<Record>` of the TwiML the gateway last
   * redirected `callSid` to (a Calls update with `Twiml`): Twilio posts the recording status
   * callback (`completed`, one channel, RecordingSource RecordVerb) and then the verb's `action`,
   * both signed. Returns the TwiML and what the gateway answered to the `action`.
   */
  async leaveVoicemail(callSid: string, seconds: number): Promise<{ twiml: string; recordingSid: string; action: { status: number; text: string } }> {
    const update = [...this.voice].reverse().find((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`) && r.params.has('Twiml'));
    if (!update || !this.target) throw new Error(`no TwiML was sent to ${callSid}`);
    const twiml = update.params.get('Twiml')!;
    const verb = /<Record ([^>]*)\/>/.exec(twiml);
    if (!verb) throw new Error(`the TwiML has no <Record>: ${twiml}`);
    const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(verb[1]!)?.[1]?.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    const now = performance.now();
    const sid = `RE${hex()}`;
    const recording: FakeRecording = {
      sid, callSid, params: new URLSearchParams({ RecordingStatusCallback: attribute('recordingStatusCallback') ?? '' }),
      startedAt: now - seconds * 1000, pauses: [], stoppedAt: now, status: 'stopped', verb: true,
    };
    this.recordings.set(sid, recording);
    await this.report(recording);
    const { gatewayUrl, publicBase } = this.target;
    const action = await this.post(gatewayUrl, publicBase, attribute('action')!.slice(publicBase.length), {
      AccountSid: TWILIO_SID, CallSid: callSid, RecordingSid: sid, RecordingUrl: `${this.url}/2010-04-01/Accounts/${TWILIO_SID}/Recordings/${sid}`,
      RecordingDuration: String(seconds), Digits: 'hangup', CallStatus: 'in-progress',
    });
    return { twiml, recordingSid: sid, action };
  }

  /** The WAV file of a stopped recording. */
  wavOf(recording: FakeRecording): Buffer {
    const { customer, agent } = this.samples(recording);
    if (recording.verb) {
      const mono = toLeBytes(customer);
      return Buffer.concat([wavHeader(mono.length, { channels: 1, sampleRate: 8000 }), mono]);
    }
    const data = toLeBytes(interleave(customer, agent));
    return Buffer.concat([wavHeader(data.length, { channels: 2, sampleRate: 8000 }), data]);
  }

  /** The seconds of the call the recording spans, minus the skipped pauses: what its file lasts. */
  recordedSeconds(recording: FakeRecording): number {
    return this.samples(recording).customer.length / 8000;
  }

  /**
   * Connects to the gateway as the stream `streamSid` would, sends `frames` 20 ms frames of both
   * tracks (and the DTMF digits after them), then `stop` unless `keepOpen`.
   */
  async streamAudio(streamSid: string, gatewayUrl: string, publicBase: string, options: { frames: number; dtmf?: string; keepOpen?: boolean; signature?: string }): Promise<WebSocket> {
    const stream = this.streams.get(streamSid)!;
    const published = stream.params.get('Url')!;
    const wsPublic = publicBase.replace(/^http/, 'ws');
    const target = gatewayUrl.replace(/^http/, 'ws') + published.slice(wsPublic.length);
    const signature = options.signature ?? getExpectedTwilioSignature(TWILIO_TOKEN, published, {});
    const socket = new WebSocket(target, { headers: { 'x-twilio-signature': signature } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
    const customParameters: Record<string, string> = {};
    for (let i = 1; stream.params.has(`Parameter${i}.Name`); i++) customParameters[stream.params.get(`Parameter${i}.Name`)!] = stream.params.get(`Parameter${i}.Value`)!;
    let seq = 1;
    const send = (message: object) => socket.send(JSON.stringify({ ...message, sequenceNumber: String(seq++), streamSid }));
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    send({
      event: 'start',
      start: {
        accountSid: TWILIO_SID, streamSid, callSid: stream.callSid, tracks: ['inbound', 'outbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters,
      },
    });
    for (let i = 0; i < options.frames; i++) {
      const timestamp = String(i * 20);
      send({ event: 'media', media: { track: 'inbound', chunk: String(i + 1), timestamp, payload: Buffer.from(mulawEncode(tone(440, i * SAMPLES_PER_FRAME, SAMPLES_PER_FRAME))).toString('base64') } });
      send({ event: 'media', media: { track: 'outbound', chunk: String(i + 1), timestamp, payload: Buffer.from(mulawEncode(tone(660, i * SAMPLES_PER_FRAME, SAMPLES_PER_FRAME))).toString('base64') } });
    }
    for (const digit of options.dtmf ?? '') send({ event: 'dtmf', dtmf: { track: 'inbound_track', digit } });
    if (!options.keepOpen) send({ event: 'stop', stop: { accountSid: TWILIO_SID, callSid: stream.callSid } });
    return socket;
  }

  private setStatus(recording: FakeRecording, status: string, behavior: 'skip' | 'silence', now: number): void {
    const open = recording.pauses.find((p) => p.to === null);
    if (status === 'paused' && !open) {
      recording.pauses.push({ from: now, to: null, behavior });
      recording.status = 'paused';
    } else if (status === 'in-progress' && open) {
      open.to = now;
      recording.status = 'in-progress';
    } else if (status === 'stopped') {
      if (open) open.to = now;
      recording.stoppedAt = now;
      recording.status = 'stopped';
      void this.report(recording);
    }
  }

  /** Posts the `completed` recording status callback, signed as Twilio signs it, to the URL the gateway gave. */
  private async report(recording: FakeRecording): Promise<void> {
    const callback = recording.params.get('RecordingStatusCallback');
    if (!callback || !this.target) return;
    const { gatewayUrl, publicBase } = this.target;
    const duration = Math.round(this.recordedSeconds(recording));
    const answer = await this.post(gatewayUrl, publicBase, callback.slice(publicBase.length), {
      AccountSid: TWILIO_SID, CallSid: recording.callSid, RecordingSid: recording.sid,
      RecordingUrl: `${this.url}/2010-04-01/Accounts/${TWILIO_SID}/Recordings/${recording.sid}`,
      RecordingStatus: 'completed', RecordingDuration: String(duration), RecordingChannels: recording.verb ? '1' : '2',
      RecordingSource: recording.verb ? 'RecordVerb' : 'StartCallRecordingAPI', RecordingStartTime: new Date().toUTCString(),
      ...(recording.verb ? {} : { RecordingTrack: 'both' }), ErrorCode: '0',
    });
    this.callbackAnswers.push(answer.status);
  }

  private samples(recording: FakeRecording): { customer: Int16Array; agent: Int16Array } {
    const end = recording.stoppedAt ?? performance.now();
    const total = Math.round(((end - recording.startedAt) / 1000) * 8000);
    const keep: boolean[] = [];
    const silent: boolean[] = [];
    for (let i = 0; i < total; i++) {
      const at = recording.startedAt + (i / 8000) * 1000;
      const pause = recording.pauses.find((p) => at >= p.from && at < (p.to ?? end));
      keep.push(!pause || pause.behavior === 'silence');
      silent.push(pause !== undefined);
    }
    const customerAll = tone(440, 0, total);
    const agentAll = tone(660, 0, total);
    const customer: number[] = [];
    const agent: number[] = [];
    for (let i = 0; i < total; i++) {
      if (!keep[i]) continue;
      customer.push(silent[i] ? 0 : customerAll[i]!);
      agent.push(silent[i] ? 0 : agentAll[i]!);
    }
    return { customer: Int16Array.from(customer), agent: Int16Array.from(agent) };
  }
}
