/**
 * Token buckets kept in this process: each bucket refills at `ratePerSecond`
 * up to `burst`, and a request takes one token from every bucket that
 * applies to it — all or none, so a refused request costs nothing. Memory is
 * bounded: a bucket that has refilled to its burst is the same as a fresh
 * one, so idle buckets are swept without losing anything; past `maxBuckets`
 * even after a sweep the oldest go first.
 */

export interface RateRule {
  ratePerSecond: number;
  burst: number;
}

/** One bucket a request draws from: its key (`scope:value`) and its rule. */
export interface BucketTake {
  key: string;
  rule: RateRule;
}

/** Taken from every bucket (`waitSeconds` 0), or refused: nothing taken, and which bucket was empty longest. */
export interface TakeResult {
  waitSeconds: number;
  /** The index in `takes` of the bucket that refused. */
  refusedBy?: number;
}

export const TAKEN: TakeResult = Object.freeze({ waitSeconds: 0 });

/** Where buckets live: this process, or a store shared by the fleet. */
export interface TokenBucketStore {
  take(takes: readonly BucketTake[]): Promise<TakeResult> | TakeResult;
}

interface BucketState {
  tokens: number;
  updatedMs: number;
}

export interface LocalTokenBucketOptions {
  now?: () => number;
  /** Bound on buckets held; default 100 000. */
  maxBuckets?: number;
}

export class LocalTokenBuckets implements TokenBucketStore {
  private readonly buckets = new Map<string, BucketState & { rule: RateRule }>();
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(options: LocalTokenBucketOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxBuckets = options.maxBuckets ?? 100_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(takes: readonly BucketTake[]): TakeResult {
    const now = this.now();
    let waitSeconds = 0;
    let refusedBy: number | undefined;
    const states: Array<BucketState & { rule: RateRule }> = [];
    for (let i = 0; i < takes.length; i++) {
      const { key, rule } = takes[i]!;
      let state = this.buckets.get(key);
      if (!state) {
        this.makeRoom(now);
        state = { tokens: rule.burst, updatedMs: now, rule };
        this.buckets.set(key, state);
      }
      state.rule = rule;
      refill(state, rule, now);
      states.push(state);
      const wait = state.tokens < 1 ? (1 - state.tokens) / rule.ratePerSecond : 0;
      if (wait > waitSeconds) {
        waitSeconds = wait;
        refusedBy = i;
      }
    }
    if (refusedBy !== undefined) return { waitSeconds, refusedBy };
    for (const state of states) state.tokens -= 1;
    return TAKEN;
  }

  /** Drops buckets that have refilled (nothing lost), then — still full — the oldest. */
  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxBuckets) return;
    for (const [key, state] of this.buckets) {
      refill(state, state.rule, now);
      if (state.tokens >= state.rule.burst) this.buckets.delete(key);
    }
    // Keep a tenth free so the next sweep is not at the very next insert.
    const target = Math.floor(this.maxBuckets * 0.9);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}

function refill(state: BucketState, rule: RateRule, now: number): void {
  const elapsed = now - state.updatedMs;
  if (elapsed > 0) {
    state.tokens = Math.min(rule.burst, state.tokens + (elapsed / 1000) * rule.ratePerSecond);
    state.updatedMs = now;
  }
}
