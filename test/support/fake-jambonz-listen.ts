import WebSocket from 'ws';
import { interleave, SAMPLES_PER_FRAME, toLeBytes, tone } from '../../src/media/domain/pcm';

/** The tones the fake's callers and agents "say": told apart by frequency in the tests. */
export const CUSTOMER_HZ = 440;
export const AGENT_HZ = 1000;

/**
 * The client side of jambonz's `listen` (feature server lib/tasks/listen.js over mod_audio_fork):
 * connects to the verb's URL with the `audio.jambonz.org` subprotocol, sends one text frame of
 * metadata (`sampleRate`, `mixType`, the call's attributes in camelCase, then the verb's own
 * `metadata`), then binary frames of 16-bit little-endian PCM — two interleaved channels for
 * `stereo` — and `{ event: "dtmf" }` text frames with passDtmf. `listen_status: pause` stops the
 * audio and keeps the socket (forkAudioPause); the listen ends by closing the socket.
 */
export class FakeListen {
  paused = false;
  /** Audio frames actually sent (a paused span sends none). */
  sentFrames = 0;
  private offset = 0;

  private constructor(readonly socket: WebSocket, readonly callSid: string, readonly verb: Record<string, unknown>, readonly protocol: string) {}

  static open(url: string, verb: Record<string, unknown>, callInfo: Record<string, unknown>): Promise<FakeListen> {
    const socket = new WebSocket(url, ['audio.jambonz.org']);
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        const metadata = { sampleRate: verb.sampleRate ?? 8000, mixType: verb.mixType ?? 'mono', ...callInfo, ...(verb.metadata as object | undefined) };
        socket.send(JSON.stringify(metadata));
        resolve(new FakeListen(socket, String(callInfo.parentCallSid ?? callInfo.callSid), verb, socket.protocol));
      });
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => reject(Object.assign(new Error(`listen refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      socket.once('error', reject);
    });
  }

  get stereo(): boolean {
    return this.verb.mixType === 'stereo';
  }

  /** `seconds` of audio in real time, 20 ms frames: the customer's tone (left), the agent's (right). */
  async stream(seconds: number): Promise<void> {
    const frames = Math.round((seconds * 1000) / 20);
    const start = performance.now();
    for (let i = 0; i < frames; i++) {
      const due = start + i * 20 - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      if (this.socket.readyState !== WebSocket.OPEN) return;
      const customer = tone(CUSTOMER_HZ, this.offset, SAMPLES_PER_FRAME);
      const pcm = this.stereo ? interleave(customer, tone(AGENT_HZ, this.offset, SAMPLES_PER_FRAME)) : customer;
      this.offset += SAMPLES_PER_FRAME;
      if (this.paused) continue;
      this.socket.send(toLeBytes(pcm));
      this.sentFrames += 1;
    }
  }

  dtmf(digit: string): void {
    this.socket.send(JSON.stringify({ event: 'dtmf', dtmf: digit, duration: 800 }));
  }

  /** The listen ends (the dial or call is over, maxLength, finishOnKey): jambonz stops the fork. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
    });
  }

  /** Resolves with the close code the gateway gave, if it closed the socket. */
  closedBy(): Promise<number> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
  }
}
