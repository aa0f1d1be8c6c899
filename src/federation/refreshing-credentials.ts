/**
 * One set of expiring credentials kept fresh without making requests wait
 * on each other:
 *
 * - a cold miss (nothing held, or what is held has expired) is single-flighted:
 *   concurrent callers await the one exchange in progress;
 * - once inside the refresh window (`refreshAheadMs` before expiry), exactly
 *   one caller starts a renewal in the background and every caller — that
 *   one included — keeps using the current credentials until it lands;
 * - a failed exchange is backed off exponentially (`baseBackoffMs` doubling
 *   to `maxBackoffMs`): during the backoff a refresh is not retried, and a
 *   cold miss fails fast with the last error instead of hammering the
 *   token service.
 *
 * Credentials count as expired `expiryMarginMs` before their stated expiry,
 * so a request signed with them still reaches the backend in time.
 */

export interface Expiring<T> {
  value: T;
  expiresAt: Date;
}

export interface RefreshingCredentialsOptions {
  now(): Date;
  /** Start renewing this long before expiry. Default 5 minutes. */
  refreshAheadMs?: number;
  /** Stop using credentials this long before expiry. Default 1 minute. */
  expiryMarginMs?: number;
  /** First wait after a failure. Default 1 s. */
  baseBackoffMs?: number;
  /** Longest wait after repeated failures. Default 60 s. */
  maxBackoffMs?: number;
  /** Told about background renewals that failed (they reach no caller). */
  onBackgroundFailure?(error: unknown): void;
  /** Told of each request for credentials: answered with what is held or being fetched (`hit`) or fetched for it (`miss`). */
  onLookup?(outcome: 'hit' | 'miss'): void;
}

export class RefreshingCredentials<T> {
  private current: Expiring<T> | undefined;
  private inflight: Promise<Expiring<T>> | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError: unknown;
  private readonly refreshAheadMs: number;
  private readonly expiryMarginMs: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly fetch: () => Promise<Expiring<T>>,
    private readonly options: RefreshingCredentialsOptions,
  ) {
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.expiryMarginMs = options.expiryMarginMs ?? 60_000;
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
  }

  async get(): Promise<T> {
    const now = this.options.now().getTime();
    const held = this.current;
    if (held && now < held.expiresAt.getTime() - this.expiryMarginMs) {
      if (now >= held.expiresAt.getTime() - this.refreshAheadMs && this.inflight === undefined && now >= this.retryAt) {
        // This caller starts the renewal and, like everyone else, carries on with what is held.
        this.start().catch((error: unknown) => this.options.onBackgroundFailure?.(error));
      }
      this.options.onLookup?.('hit');
      return held.value;
    }
    if (this.inflight) {
      this.options.onLookup?.('hit');
      return (await this.inflight).value;
    }
    this.options.onLookup?.('miss');
    if (now < this.retryAt) throw this.lastError;
    return (await this.start()).value;
  }

  /** Forget what is held (the backend refused it); the next call fetches anew. */
  invalidate(): void {
    this.current = undefined;
  }

  private start(): Promise<Expiring<T>> {
    const run = (async () => {
      try {
        // Always asynchronous, so `inflight` is set before this settles even if `fetch` throws at once.
        const fresh = await Promise.resolve().then(() => this.fetch());
        this.current = fresh;
        this.failures = 0;
        this.retryAt = 0;
        this.lastError = undefined;
        return fresh;
      } catch (error) {
        this.failures++;
        this.lastError = error;
        const wait = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (this.failures - 1));
        this.retryAt = this.options.now().getTime() + wait;
        throw error;
      } finally {
        this.inflight = undefined;
      }
    })();
    this.inflight = run;
    return run;
  }
}
