import WebSocket from 'ws';

export type Frame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real `ws` client that records every frame and waits for the ones a test expects. */
export class EventClient {
  readonly frames: Frame[] = [];
  closed?: { code: number; reason: string };
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens `/v1/events`, with the token in the header (default) or the query string. */
  static connect(baseUrl: string, token: string, via: 'header' | 'query' = 'header'): Promise<EventClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/events${via === 'query' ? `?access_token=${token}` : ''}`;
    const socket = new WebSocket(url, via === 'header' ? { headers: { authorization: `Bearer ${token}` } } : {});
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new EventClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  events(): Frame[] {
    return this.frames.filter((f) => f.op === 'event');
  }

  /** Resolves with the first frame (after `from`) that matches, or fails after `ms`. */
  async next(match: (f: Frame) => boolean, ms = 5000, from = 0): Promise<Frame> {
    return this.until(() => this.frames.slice(from).find(match), ms);
  }

  /** Waits until `count` event frames have arrived. */
  async eventCount(count: number, ms = 5000): Promise<Frame[]> {
    return this.until(() => (this.events().length >= count ? this.events() : undefined), ms);
  }

  async closedWith(ms = 5000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, ms);
  }

  close(): void {
    this.socket.terminate();
  }

  private async until<T>(probe: () => T | undefined, ms: number): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames so far: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
