import type { Logger } from 'pino';

/**
 * A sweep each instance runs every `intervalMs` (the unattended alerts, ring-no-answer): never two
 * of one at once on an instance, and a failed run is logged and left to the next one — the sweeps
 * claim their rows with conditional updates, so several instances sweeping at once is safe.
 */
export class PeriodicSweep {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly name: string, private readonly work: () => Promise<void>, private readonly logger: Logger) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One run now (tests call it), unless one is under way. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.work();
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, `${this.name} sweep failed; retrying on the next one`);
    } finally {
      this.running = false;
    }
  }
}
