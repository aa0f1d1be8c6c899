/**
 * What the fleet's shared tier (Redis on Node) offers rate limits and
 * quotas: token buckets taken atomically, and counters over a period. Every
 * call may fail (the service is down); `withFallback` then answers from this
 * process instead — a warning once per outage, never a failed request.
 */
import type { LogSink } from '../runtime.ts';
import type { QuotaCounters } from './quotas.ts';
import type { BucketTake, TakeResult, TokenBucketStore } from './token-buckets.ts';

export interface SharedCounters {
  /** As `TokenBucketStore.take`, atomically across the fleet. */
  takeTokens(takes: readonly BucketTake[]): Promise<TakeResult>;
  /** Adds `amount` to a counter that expires `ttlMs` after it was created; the new total. */
  addCounter(key: string, amount: number, ttlMs: number): Promise<number>;
  /** A counter's total (0 when absent). */
  getCounter(key: string): Promise<number>;
}

export function hasSharedCounters(value: unknown): value is SharedCounters {
  return typeof value === 'object' && value !== null && typeof (value as Partial<SharedCounters>).takeTokens === 'function';
}

/** One warning per outage; the next success ends the outage. */
export class OutageNotice {
  private down = false;

  constructor(
    private readonly log: LogSink,
    private readonly what: string,
    private readonly onFallback: () => void = () => {},
  ) {}

  failed(error: unknown): void {
    this.onFallback();
    if (this.down) return;
    this.down = true;
    this.log.write({ level: 'warn', msg: `${this.what}: the shared tier failed; answering from this process until it is back`, error: error instanceof Error ? error.message : String(error) });
  }

  succeeded(): void {
    this.down = false;
  }
}

/** Shared token buckets, or this process's own while the shared tier fails. */
export function tokenBucketsWithFallback(shared: SharedCounters, local: TokenBucketStore, notice: OutageNotice): TokenBucketStore {
  return {
    async take(takes) {
      try {
        const result = await shared.takeTokens(takes);
        notice.succeeded();
        return result;
      } catch (error) {
        notice.failed(error);
        return local.take(takes);
      }
    },
  };
}

/** Shared quota counters, or this process's own while the shared tier fails. */
export function quotaCountersWithFallback(shared: SharedCounters, local: QuotaCounters, notice: OutageNotice): QuotaCounters {
  const attempt = async <T>(work: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> => {
    try {
      const value = await work();
      notice.succeeded();
      return value;
    } catch (error) {
      notice.failed(error);
      return fallback();
    }
  };
  return {
    add: (key, amount, ttlMs) => attempt(() => shared.addCounter(key, amount, ttlMs), () => local.add(key, amount, ttlMs)),
    get: (key) => attempt(() => shared.getCounter(key), () => local.get(key)),
  };
}
