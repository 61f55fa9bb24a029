/**
 * Token buckets per key: `ratePerSecond` sustained, `burst` at once. The oldest keys are
 * forgotten beyond `maxKeys`, so memory stays bounded whatever callers send. Per instance: with
 * several instances each enforces its own share.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key`; when none is left, says how many seconds until one is. */
  take(key: string, nowMs = Date.now()): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.ratePerSecond <= 0) return { allowed: true };
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = nowMs;
    // Re-insert so that the Map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }
}
