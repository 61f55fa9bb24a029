/**
 * What the gateway asks of its providers' APIs, for /metrics and readiness: each request's
 * provider, operation (method and path, ids folded), outcome and time, and a cheap authenticated
 * read of the account, cached so that probes of /health/ready never hammer a provider.
 */

/** `ok`, the HTTP status class of a refusal (`4xx`, `5xx`), or `network` when no answer came. */
export type ProviderCallOutcome = 'ok' | '4xx' | '5xx' | 'network';

export type ProviderCallObserver = (provider: string, operation: string, outcome: ProviderCallOutcome, seconds: number) => void;

export function outcomeOf(status: number | undefined): ProviderCallOutcome {
  if (status === undefined) return 'network';
  if (status < 400) return 'ok';
  return status < 500 ? '4xx' : '5xx';
}

/**
 * `POST /2010-04-01/Accounts/AC…/Calls/CA….json` → `POST /Calls/{id}`: the account prefix, ids
 * (Twilio's two letters and 32 hex digits, UUIDs, long digit or hex runs) and `.json` folded, so
 * that the metric has one series per operation, not per call.
 */
export function operationOf(method: string, url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://provider').pathname;
  } catch {
    return `${method.toUpperCase()} ?`;
  }
  path = path
    .replace(/^\/2010-04-01\/Accounts\/[^/]+/, '')
    .replace(/^\/v1\/Accounts\/[^/]+/, '')
    .replace(/\.json$/, '')
    .split('/')
    .map((part) => (/^[A-Z]{2}[0-9a-f]{32}$/.test(part) || /^[0-9a-f-]{36}$/i.test(part) || /^[0-9a-f]{16,}$/i.test(part) || /^\d{4,}$/.test(part) ? '{id}' : part))
    .join('/');
  return `${method.toUpperCase()} ${path || '/'}`;
}

/** Times `work` and reports it; the status of a failure is read from the error where the client puts it. */
export async function observed<T>(observe: ProviderCallObserver | undefined, provider: string, operation: string, work: () => Promise<T>): Promise<T> {
  if (!observe) return work();
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await work();
    observe(provider, operation, 'ok', seconds());
    return result;
  } catch (error) {
    const e = error as { status?: unknown; statusCode?: unknown };
    const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
    observe(provider, operation, outcomeOf(status), seconds());
    throw error;
  }
}

/**
 * A readiness probe answered from its last result for `ttlMs` (a failure for a fifth of it, so a
 * provider that is back is seen soon); concurrent callers share one request.
 */
export class CachedProbe {
  private last?: { at: number; error?: unknown };
  private inFlight?: Promise<void>;

  constructor(private readonly probe: () => Promise<void>, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  async check(): Promise<void> {
    const last = this.last;
    if (last && this.now() - last.at < (last.error ? this.ttlMs / 5 : this.ttlMs)) {
      if (last.error) throw last.error;
      return;
    }
    this.inFlight ??= this.probe().then(
      () => { this.last = { at: this.now() }; },
      (error: unknown) => { this.last = { at: this.now(), error }; },
    ).finally(() => { this.inFlight = undefined; });
    await this.inFlight;
    if (this.last?.error) throw this.last.error;
  }
}

/** An authenticated GET of an account resource (a probe): any answer but 2xx is a failure, said with its status. */
export async function probeAccount(observe: ProviderCallObserver | undefined, provider: string, url: string, authorization: string): Promise<void> {
  const operation = operationOf('GET', url);
  await observed(observe, provider, operation, async () => {
    const response = await fetch(url, { headers: { authorization, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer(); // let the connection be reused
    if (!response.ok) throw Object.assign(new Error(`${provider} answered ${response.status} to ${operation}`), { status: response.status });
  });
}
