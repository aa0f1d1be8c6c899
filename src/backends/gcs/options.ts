/**
 * Options of the Google Cloud Storage backend, their defaults, and the
 * checks that catch a bad configuration at start-up.
 */
import type { HttpClient } from '../../core/http.ts';
import { checkEndpoint, isBadPrefix, resolveTiming, type HttpBackendTimingOptions, type ResolvedHttpBackendTiming } from '../http-backend-options.ts';
import type { GcsTokenProvider } from './auth.ts';

export const DEFAULT_GCS_ENDPOINT = 'https://storage.googleapis.com';
/** Where multipart uploads keep their parts, relative to the bucket root. */
export const DEFAULT_MULTIPART_PREFIX = '.sluice-multipart/';
/** GCS asks resumable chunks to be multiples of 256 KiB. */
export const CHUNK_GRANULE = 256 * 1024;

export interface GcsBackendOptions extends HttpBackendTimingOptions {
  bucket: string;
  /** JSON API root; default `https://storage.googleapis.com`. Tests point it at a local server. */
  endpoint?: string;
  /** Base prefix within the bucket: "" or ending in "/". */
  prefix?: string;
  /** Bearer tokens for every request; absent: anonymous (public buckets, reads only). */
  tokens?: GcsTokenProvider;
  http: HttpClient;
  readOnly?: boolean;
  /** Bucket-relative prefix holding multipart parts and manifests ("" or ending in "/"); never listed. */
  multipartPrefix?: string;
  /** Largest body sent in one multipart/related upload, and the resumable chunk size (a multiple of 256 KiB). Default 8 MiB. */
  chunkSize?: number;
}

export interface ResolvedGcsOptions extends ResolvedHttpBackendTiming {
  bucket: string;
  /** Without a trailing slash. */
  endpoint: string;
  prefix: string;
  tokens: GcsTokenProvider | undefined;
  http: HttpClient;
  readOnly: boolean;
  multipartPrefix: string;
  chunkSize: number;
}

const MAX_CHUNK_SIZE = 256 * 1024 * 1024;

/** GCS bucket names: 3–63 characters (up to 222 with dots), lower-case letters, digits, `-`, `_`, `.`. */
export function gcsBucketProblem(bucket: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket)) {
    return 'must be 3 to 222 lower-case letters, digits, dashes, underscores and dots, starting and ending with a letter or digit';
  }
  if (!bucket.includes('.') && bucket.length > 63) return 'must be at most 63 characters unless it contains dots';
  if (bucket.split('.').some((part) => part.length === 0 || part.length > 63)) return 'must have dot-separated parts of 1 to 63 characters';
  if (bucket.startsWith('goog')) return 'must not start with "goog" (reserved by Google)';
  return undefined;
}

/** Validate and fill defaults; throws `TypeError` naming every problem found. */
export function resolveGcsOptions(options: GcsBackendOptions): ResolvedGcsOptions {
  const problems: string[] = [];
  const bucketProblem = gcsBucketProblem(options.bucket);
  if (bucketProblem) problems.push(`bucket ${bucketProblem}`);
  const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_GCS_ENDPOINT, problems);
  const prefix = options.prefix ?? '';
  if (isBadPrefix(prefix)) problems.push('prefix must be "" or end in "/" without a leading "/"');
  const multipartPrefix = options.multipartPrefix ?? DEFAULT_MULTIPART_PREFIX;
  if (multipartPrefix === '' || isBadPrefix(multipartPrefix)) problems.push('multipartPrefix must end in "/" without a leading "/"');
  else if (prefix.startsWith(multipartPrefix)) problems.push('prefix must not lie inside multipartPrefix');
  const chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(chunkSize) || chunkSize < CHUNK_GRANULE || chunkSize > MAX_CHUNK_SIZE || chunkSize % CHUNK_GRANULE !== 0) {
    problems.push(`chunkSize must be a multiple of ${CHUNK_GRANULE} up to ${MAX_CHUNK_SIZE}`);
  }
  const timing = resolveTiming(options, problems);
  if (problems.length > 0) throw new TypeError(`invalid GCS backend options: ${problems.join('; ')}`);
  return {
    bucket: options.bucket,
    endpoint,
    prefix,
    tokens: options.tokens,
    http: options.http,
    readOnly: options.readOnly ?? false,
    multipartPrefix,
    chunkSize,
    ...timing,
  };
}

/** An object name as one URL path segment: `/` included, everything but unreserved characters percent-encoded. */
export function encodeObjectName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
