/**
 * The cache in front of each kind of policy API lookup, with its own TTL and
 * failure policy. Fresh entries answer at once; an expired one is looked up
 * again (concurrent misses share one call). When the API fails, the last
 * answer is used for at most `staleMs` past its expiry, and after that the
 * lookup fails with 503 ServiceUnavailable: an API outage never turns into an
 * answer nobody gave. After a failure the API is not asked again for
 * `retryAfterMs`, so an outage is not multiplied by the request rate.
 */
import { S3Error } from '../../core/errors/s3-error.ts';

export interface LookupPolicy {
  ttlMs: number;
  /** How long past its expiry an entry may answer while the API fails. */
  staleMs: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export interface LookupCacheOptions extends LookupPolicy {
  now: () => number;
  /** Told once per failure that was answered stale or refused; never given secrets. */
  warn(message: string, error: unknown): void;
  /** Default 1 s. */
  retryAfterMs?: number;
  /** Default 10,000; the oldest entries go first. */
  maxEntries?: number;
}

export class LookupCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly what: string, private readonly options: LookupCacheOptions) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.options.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return Promise.resolve(entry.value);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const failed = this.failedAt.get(key);
    if (failed !== undefined && now - failed < (this.options.retryAfterMs ?? 1_000)) return this.fallback(key, entry, now, undefined);
    const lookup = load().then(
      (value) => {
        this.pending.delete(key);
        this.failedAt.delete(key);
        this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.pending.delete(key);
        this.failedAt.set(key, this.options.now());
        return this.fallback(key, this.entries.get(key), this.options.now(), error);
      },
    );
    this.pending.set(key, lookup);
    return lookup;
  }

  private fallback(key: string, entry: Entry<V> | undefined, now: number, error: unknown): Promise<V> {
    if (entry && now - entry.expiresAt <= this.options.staleMs) {
      if (error !== undefined) this.options.warn(`policy API ${this.what} lookup failed; answering from the copy of ${Math.round((now - entry.expiresAt) / 1000)} s past its TTL`, error);
      return Promise.resolve(entry.value);
    }
    if (entry) this.entries.delete(key);
    if (error !== undefined) this.options.warn(`policy API ${this.what} lookup failed and no usable copy is left; refusing with 503`, error);
    return Promise.reject(new S3Error('ServiceUnavailable', 'Service is unable to handle request.'));
  }

  private store(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: this.options.now() + this.options.ttlMs });
  }
}
