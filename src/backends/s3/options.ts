/**
 * Options of the S3 backend, their defaults, and the checks that catch a bad
 * configuration at start-up rather than on the first request.
 */
import type { HttpClient } from '../../core/http.ts';
import type { LogSink } from '../../core/runtime.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Static keys, or a provider asked before each signed request (it caches and refreshes on its own). */
export type S3CredentialSource = S3Credentials | (() => Promise<S3Credentials>);

export interface S3RetryOptions {
  /** Total tries per request, the first included. Default 3. */
  attempts?: number;
  /** Base of the exponential backoff; each wait is a random time up to base × 2^(retry−1). Default 100 ms. */
  baseDelayMs?: number;
  /** Ceiling for one wait. Default 5 s. */
  maxDelayMs?: number;
  /**
   * Total time for one request's tries, first included: no retry starts after
   * it, and a retry's response timeout is cut to what is left. Default 25 s.
   */
  deadlineMs?: number;
}

export interface S3CircuitBreakerOptions {
  /** Consecutive tries that could not reach the store before failing fast. Default 5. */
  failureThreshold?: number;
  /** How long to fail fast before one probe may go. Default 30 s. */
  coolDownMs?: number;
  /** Whether readiness should report not ready while the circuit is open (read by whoever serves `/.ready`). Default false. */
  affectsReadiness?: boolean;
}

export interface S3BackendOptions {
  /** Service endpoint, e.g. `https://s3.us-west-2.amazonaws.com` or `http://127.0.0.1:4568`. */
  endpoint: string;
  region: string;
  bucket: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** Base prefix within the bucket: "" or ending in "/". */
  prefix: string;
  /** Absent: requests go unsigned (anonymous, public buckets). */
  credentials?: S3CredentialSource;
  http: HttpClient;
  /** Refuse writes (`WriteNotAllowedError`). Writes also need credentials. */
  readOnly?: boolean;
  retry?: S3RetryOptions;
  /** Opening a connection to the store, per try. Default 3 s. */
  connectTimeoutMs?: number;
  /**
   * From the request fully sent to the response headers (to the first body
   * byte for GetObject), per try. Default 10 s. An upload's own duration is
   * not counted: `idleTimeoutMs` guards it.
   */
  responseTimeoutMs?: number;
  /** Longest time without progress while sending or receiving a body. Default 20 s. */
  idleTimeoutMs?: number;
  /** Fail fast while the store is unreachable; `false` turns it off. */
  circuitBreaker?: S3CircuitBreakerOptions | false;
  /** Connection name for logs. Default the bucket name. */
  name?: string;
  /** Where circuit breaker state changes are logged. */
  log?: LogSink;
  /** Part size when a body of unknown length goes up as a multipart upload. Default 8 MiB, at least 5 MiB. */
  multipartPartSize?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) source for backoff jitter. */
  random?: () => number;
}

export interface ResolvedS3Options {
  endpoint: URL;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  prefix: string;
  credentials?: S3CredentialSource;
  http: HttpClient;
  readOnly: boolean;
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  deadlineMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  idleTimeoutMs: number;
  circuitBreaker: { failureThreshold: number; coolDownMs: number; affectsReadiness: boolean } | false;
  name: string;
  log?: LogSink;
  multipartPartSize: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * Defaults chosen so a blackholed store (accepts connections, never answers)
 * is reported within 25 s in total — below the 60 s read timeout of aws-cli
 * and boto3, so clients see a 503 rather than their own timeout.
 */
export const S3_DEFAULTS = {
  attempts: 3,
  connectTimeoutMs: 3_000,
  responseTimeoutMs: 10_000,
  idleTimeoutMs: 20_000,
  retryDeadlineMs: 25_000,
  breakerFailureThreshold: 5,
  breakerCoolDownMs: 30_000,
} as const;

/** Validate and fill defaults; throws `TypeError` naming every problem found. */
export function resolveS3Options(options: S3BackendOptions): ResolvedS3Options {
  const problems: string[] = [];
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') problems.push('endpoint must be http(s)');
    if (endpoint.search || endpoint.hash) problems.push('endpoint must not have a query or fragment');
  } catch {
    problems.push(`endpoint is not a URL: ${options.endpoint}`);
  }
  if (!options.region) problems.push('region is required');
  if (!options.bucket) problems.push('bucket is required');
  if (options.prefix !== '' && (!options.prefix.endsWith('/') || options.prefix.startsWith('/'))) {
    problems.push('prefix must be "" or end in "/" without a leading "/"');
  }
  const attempts = options.retry?.attempts ?? S3_DEFAULTS.attempts;
  if (!Number.isInteger(attempts) || attempts < 1) problems.push('retry.attempts must be an integer ≥ 1');
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) problems.push(`${name} must be a whole number > 0`);
  };
  positive('connectTimeoutMs', options.connectTimeoutMs);
  positive('responseTimeoutMs', options.responseTimeoutMs);
  positive('idleTimeoutMs', options.idleTimeoutMs);
  positive('retry.deadlineMs', options.retry?.deadlineMs);
  const breaker = options.circuitBreaker;
  if (breaker) {
    positive('circuitBreaker.failureThreshold', breaker.failureThreshold);
    positive('circuitBreaker.coolDownMs', breaker.coolDownMs);
  }
  const partSize = options.multipartPartSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) problems.push(`multipartPartSize must be ≥ ${MIN_PART_SIZE}`);
  if (problems.length > 0 || !endpoint) throw new TypeError(`invalid S3 backend options: ${problems.join('; ')}`);

  return {
    endpoint,
    region: options.region,
    bucket: options.bucket,
    forcePathStyle: options.forcePathStyle,
    prefix: options.prefix,
    credentials: options.credentials,
    http: options.http,
    readOnly: options.readOnly ?? false,
    attempts,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 5000,
    deadlineMs: options.retry?.deadlineMs ?? S3_DEFAULTS.retryDeadlineMs,
    connectTimeoutMs: options.connectTimeoutMs ?? S3_DEFAULTS.connectTimeoutMs,
    responseTimeoutMs: options.responseTimeoutMs ?? S3_DEFAULTS.responseTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? S3_DEFAULTS.idleTimeoutMs,
    circuitBreaker: breaker === false ? false : {
      failureThreshold: breaker?.failureThreshold ?? S3_DEFAULTS.breakerFailureThreshold,
      coolDownMs: breaker?.coolDownMs ?? S3_DEFAULTS.breakerCoolDownMs,
      affectsReadiness: breaker?.affectsReadiness ?? false,
    },
    name: options.name ?? options.bucket,
    ...(options.log !== undefined && { log: options.log }),
    multipartPartSize: partSize,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}
