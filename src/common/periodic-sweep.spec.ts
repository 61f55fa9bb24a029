import pino from 'pino';
import { Writable } from 'node:stream';
import { PeriodicSweep } from './periodic-sweep';

describe('PeriodicSweep', () => {
  it('never runs twice at once, and logs a failed run instead of throwing it', async () => {
    const lines: string[] = [];
    const logger = pino(new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(chunk.toString()); done(); } }));
    let running = 0;
    let peak = 0;
    let fail = false;
    const sweep = new PeriodicSweep('test', async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      if (fail) throw new Error('store away');
    }, logger);
    await Promise.all([sweep.run(), sweep.run(), sweep.run()]);
    expect(peak).toBe(1);
    fail = true;
    await expect(sweep.run()).resolves.toBeUndefined();
    expect(lines.some((l) => l.includes('test sweep failed; retrying on the next one') && l.includes('store away'))).toBe(true);
    fail = false;
    await sweep.run(); // the guard was released after the failure
    expect(peak).toBe(1);
  });
});
