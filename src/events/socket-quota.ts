/**
 * Open sockets per key (a bearer token) on this instance. Each admitted socket gets its own
 * release, which is safe to call twice, so an ending that is reported twice frees one place.
 */
export class SocketQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a socket in and returns its release, or undefined when the key has `max` open. */
  acquire(key: string): (() => void) | undefined {
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return undefined;
    this.open.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      // Keys with no socket are forgotten, so the map holds only tokens in use.
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}
