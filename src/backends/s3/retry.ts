/**
 * When and how long to wait before trying a backend request again:
 * exponential backoff with full jitter, only for answers that a retry can fix.
 */

/** Wait before retry number `retry` (1-based): a random time up to min(max, base × 2^(retry−1)). */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Server-side failures and throttling; 4xx answers (other than SlowDown) are final. */
export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  return status >= 500 || code === 'SlowDown';
}

/** Sleep that ends early, rejecting with the reason, when the signal aborts. */
export async function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
