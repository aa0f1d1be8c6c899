/**
 * Options of the S3 backend, their defaults, and the checks that catch a bad
 * configuration at start-up rather than on the first request.
 */
import type { HttpClient } from '../../core/http.ts';

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
  /** Longest wait for a response's status and headers, per try. Default 30 s. */
  responseTimeoutMs?: number;
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
  responseTimeoutMs: number;
  multipartPartSize: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

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
  const attempts = options.retry?.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) problems.push('retry.attempts must be an integer ≥ 1');
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
    responseTimeoutMs: options.responseTimeoutMs ?? 30_000,
    multipartPartSize: partSize,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}
