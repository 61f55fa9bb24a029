/**
 * A token bucket for one socket: `perSecond` sustained, `burst` at once. Costs above the burst
 * are charged as the whole burst, so the largest frame a socket may send passes on a full budget.
 */
export class FrameBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    nowMs = Date.now(),
  ) {
    this.tokens = burst;
    this.at = nowMs;
  }

  /** Takes `cost` and says true, or takes nothing and says false when not enough is left. */
  take(cost = 1, nowMs = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, nowMs - this.at) / 1000) * this.perSecond);
    this.at = nowMs;
    const charge = Math.min(cost, this.burst);
    if (this.tokens < charge) return false;
    this.tokens -= charge;
    return true;
  }
}
