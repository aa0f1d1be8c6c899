/**
 * Background work on Workers. The app is built once per isolate, but
 * `ctx.waitUntil` belongs to one request: work the app starts
 * (`RuntimeContext.waitUntil`: audit and log delivery, recording a key's
 * use) joins one set per isolate, and every request keeps its invocation
 * alive until the set has drained — so work started while a request is in
 * flight is always covered by a `waitUntil` that outlives it.
 */

/** Rounds of "wait for what is pending" before giving up: new work arriving forever must not pin a request. */
const MAX_DRAIN_ROUNDS = 16;

export interface BackgroundWork {
  /** `RuntimeContext.waitUntil`: track `work` (its failure is the caller's to handle; here it is ignored). */
  add(work: Promise<unknown>): void;
  /** Settles once everything pending (and what that work adds in turn) has settled. Never rejects. */
  drained(): Promise<void>;
  readonly pending: number;
}

export function createBackgroundWork(): BackgroundWork {
  const pending = new Set<Promise<unknown>>();
  return {
    add(work) {
      const tracked: Promise<unknown> = work.then(
        () => undefined,
        () => undefined,
      ).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async drained() {
      for (let round = 0; round < MAX_DRAIN_ROUNDS && pending.size > 0; round++) await Promise.all([...pending]);
    },
    get pending() {
      return pending.size;
    },
  };
}
