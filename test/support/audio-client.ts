import WebSocket from 'ws';
import { decodeAudioFrame, type FrameChannel } from '../../src/media/domain/audio-frame';

export type AudioJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface AudioChunk { channel: FrameChannel; timestampMs: number; pcm: Buffer }

/** A real `ws` client of `GET /v1/calls/:id/audio`: keeps the JSON frames and the audio frames apart. */
export class AudioClient {
  readonly json: AudioJson[] = [];
  readonly audio: AudioChunk[] = [];
  /** Each frame in arrival order: 'json:<event>' or 'audio'. */
  readonly order: string[] = [];
  closed?: { code: number; reason: string };
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.audio.push(decodeAudioFrame(Buffer.from(data)));
        this.order.push('audio');
      } else {
        const frame = JSON.parse(data.toString()) as AudioJson;
        this.json.push(frame);
        this.order.push(`json:${frame.event}`);
      }
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static connect(baseUrl: string, callId: string, token: string | null, query = ''): Promise<AudioClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/calls/${callId}/audio${query}`;
    const socket = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new AudioClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      socket.once('error', reject);
    });
  }

  /** Waits until `done()` holds (checked on every frame and on close). */
  async until(done: () => boolean, what = 'a frame'): Promise<void> {
    while (!done()) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before ${what}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The audio bytes received on `channel` (headers excluded). */
  bytes(channel: FrameChannel): number {
    return this.audio.filter((a) => a.channel === channel).reduce((n, a) => n + a.pcm.length, 0);
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Refusal status of an upgrade that is expected to fail. */
export async function refusal(baseUrl: string, callId: string, token: string | null, query = ''): Promise<number> {
  try {
    const client = await AudioClient.connect(baseUrl, callId, token, query);
    client.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}
