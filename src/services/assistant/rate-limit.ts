/**
 * A fixed-window rate limit per key (client IP, session, LINE user): at most `limit` hits per
 * window. In memory, per process: it protects the process from floods, not a global quota.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts a hit; undefined when allowed, else the seconds until the window ends (Retry-After). */
  hit(key: string): number | undefined {
    const now = this.#now();
    let w = this.#hits.get(key);
    if (!w || now - w.start >= this.#windowMs) {
      // Keep the map bounded: drop finished windows when it grows.
      if (this.#hits.size > 10_000) for (const [k, v] of this.#hits) if (now - v.start >= this.#windowMs) this.#hits.delete(k);
      w = { start: now, count: 0 };
      this.#hits.set(key, w);
    }
    w.count += 1;
    if (w.count <= this.#limit) return undefined;
    return Math.max(1, Math.ceil((w.start + this.#windowMs - now) / 1000));
  }
}
