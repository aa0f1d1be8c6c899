/**
 * Options every storage backend spoken over the injected `HttpClient` with
 * its own transport has in common (Google Cloud Storage, Azure Blob): the
 * endpoint and base-prefix checks, and the retry and timing settings with
 * their defaults. Each backend's options module adds its own names, sizes
 * and credentials.
 */

/** Retry and timing settings as configured; everything optional. */
export interface HttpBackendTimingOptions {
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Longest wait for a response's status and headers, per try. Default 30 s. */
  responseTimeoutMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Retry and timing settings with defaults filled in. */
export interface ResolvedHttpBackendTiming {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  responseTimeoutMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** The endpoint without trailing slashes; what is wrong with it is added to `problems`. */
export function checkEndpoint(configured: string, problems: string[]): string {
  const endpoint = configured.replace(/\/+$/, '');
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('endpoint must be http(s)');
    if (url.search || url.hash) problems.push('endpoint must not have a query or fragment');
  } catch {
    problems.push(`endpoint is not a URL: ${endpoint}`);
  }
  return endpoint;
}

/** A key prefix must be "" or end in "/", and must not start with "/". */
export function isBadPrefix(prefix: string): boolean {
  return prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'));
}

/** Fill the retry and timing defaults; a bad attempt count is added to `problems`. */
export function resolveTiming(options: HttpBackendTimingOptions, problems: string[]): ResolvedHttpBackendTiming {
  const attempts = options.retry?.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) problems.push('retry.attempts must be an integer ≥ 1');
  return {
    attempts,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 5000,
    responseTimeoutMs: options.responseTimeoutMs ?? 30_000,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}
