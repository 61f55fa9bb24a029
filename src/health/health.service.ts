import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import type { DatabaseHandle } from '../storage/database';
import { DATABASE } from '../storage/storage.module';
import { EVENT_FANOUT, type EventFanout } from '../events/fanout/event-fanout';

export type Check = () => Promise<void>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

/** Readiness is the conjunction of named checks, each bounded by the configured timeout. */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, Check>();
  private draining = false;

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    @Inject(EVENT_FANOUT) fanout: EventFanout,
    private readonly config: AppConfig,
  ) {
    this.register('store', () => database.check());
    this.register('events', () => fanout.check());
  }

  /** Adds a check (the event bus and providers register theirs). */
  register(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  /** From shutdown on, the instance reports itself not ready so balancers stop sending work. */
  startDraining(): void {
    this.draining = true;
  }

  async readiness(): Promise<Readiness> {
    const timeoutMs = this.config.health.readyTimeoutMs;
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
    );
    const checks: Readiness['checks'] = Object.fromEntries(entries);
    if (this.draining) checks.shutdown = { status: 'down', error: 'the instance is shutting down' };
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}

async function runCheck(check: Check, timeoutMs: number): Promise<{ status: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
