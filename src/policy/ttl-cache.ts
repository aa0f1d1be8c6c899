/**
 * A small TTL cache for policy lookups. Concurrent misses for the same entry
 * share one lookup; failures are not cached (the next request asks again);
 * "absent" answers are cached for a shorter time so new records appear soon.
 */

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export interface TtlCacheOptions {
  ttlMs: number;
  /** TTL for `null` results; defaults to the smaller of `ttlMs` and 5 s. */
  negativeTtlMs?: number;
  /** Bound on entries; the oldest are dropped first. */
  maxEntries?: number;
  now?: () => number;
  /** Told of each lookup: answered from the cache (`hit`, including a lookup joining one in flight) or loaded (`miss`). */
  onLookup?: (outcome: 'hit' | 'miss') => void;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private generation = 0;
  private readonly onLookup: ((outcome: 'hit' | 'miss') => void) | undefined;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.negativeTtlMs = options.negativeTtlMs ?? Math.min(options.ttlMs, 5_000);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    this.onLookup = options.onLookup;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.onLookup?.('hit');
      return Promise.resolve(entry.value);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) {
      this.onLookup?.('hit');
      return inFlight;
    }
    this.onLookup?.('miss');
    const generation = this.generation;
    const lookup = load().then(
      (value) => {
        this.pending.delete(key);
        // A lookup that started before an invalidation must not put back what was dropped.
        if (generation === this.generation) this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, lookup);
    return lookup;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    this.pending.delete(key);
    this.generation++;
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
    this.generation++;
  }

  private store(key: string, value: V): void {
    const ttl = value === null ? this.negativeTtlMs : this.ttlMs;
    if (ttl <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttl });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
