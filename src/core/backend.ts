/**
 * The `Backend` interface: what every object store behind the gateway provides.
 *
 * Keys are the bucket-relative keys clients use (the gateway has already
 * applied the bucket's prefix within the connection). Bodies are streams;
 * nothing here buffers a whole object. Missing objects and failed
 * preconditions are reported with the typed errors in `backend-errors.ts`.
 */
import type { Body } from './body.ts';

export interface ObjectInfo {
  key: string;
  size: number;
  /** Quoted entity tag, exactly as it goes on the wire: `"d41d8cd98f00b204e9800998ecf8427e"`. */
  etag: string;
  lastModified: Date;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  /** Raw `Expires` header value as stored. */
  expires?: string;
  /** User metadata: lower-case names without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  /** `x-amz-storage-class` as written; absent means STANDARD. */
  storageClass?: string;
  /**
   * Sizes of the parts, in order, of an object assembled by a multipart upload (GetObject
   * `partNumber` serves them); absent for an object written whole or a backend that does not say.
   */
  partSizes?: readonly number[];
  /** The tag set as `x-amz-tagging` carries it: URL-encoded `k=v&k2=v2`. */
  tagging?: string;
  /** How many tags the object has, from a store that reports only the count (with `tagging`, its count wins). */
  tagCount?: number;
  /** The additional checksum the upload was verified with. */
  checksum?: ObjectChecksum;
}

/** An additional checksum (`x-amz-checksum-*`) of a whole object. */
export interface ObjectChecksum {
  /** Upper-case S3 name: CRC32, CRC32C, CRC64NVME, SHA1 or SHA256. */
  algorithm: string;
  /**
   * Base64 value. For a checksum sent as a trailer it is known only once the
   * body has ended (undefined before): a backend reads it at its commit.
   */
  readonly value: string | undefined;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Object headers a client may set on write (also what `ObjectInfo` carries back). */
export type ObjectMetadata = Pick<
  ObjectInfo,
  'contentType' | 'contentEncoding' | 'contentDisposition' | 'contentLanguage' | 'cacheControl' | 'expires' | 'metadata' | 'storageClass' | 'tagging' | 'checksum'
>;

/** The string-valued fields of `ObjectMetadata` beyond user metadata, for backends that copy them field by field. */
export const METADATA_STRING_FIELDS = [
  'contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires', 'storageClass', 'tagging',
] as const;

/** The checksum as stored: its value resolved (call once the body has ended); undefined when it has none. */
export function settledChecksum(checksum: ObjectChecksum | undefined): ObjectChecksum | undefined {
  const value = checksum?.value;
  return checksum && value !== undefined ? { algorithm: checksum.algorithm, value, type: checksum.type } : undefined;
}

/** A byte range as the client asked for it (RFC 9110 `bytes=` forms S3 accepts). */
export type RangeRequest =
  | { kind: 'bounded'; first: number; last: number }
  | { kind: 'from'; first: number }
  | { kind: 'suffix'; length: number };

/** A resolved range within an object of known size; both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Read preconditions (If-* headers); dates already parsed. */
export interface ReadConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export interface GetOptions {
  range?: RangeRequest;
  conditions?: ReadConditions;
  signal?: AbortSignal;
}

export interface GetResult {
  info: ObjectInfo;
  body: Body;
  /** Present when a range was applied; absent means the whole object. */
  range?: ByteRange;
}

export interface ListParams {
  /** "" lists everything. */
  prefix: string;
  /** Any non-empty string; absent means no grouping. */
  delimiter?: string;
  /** Exclusive lower bound: only keys (and common prefixes) strictly after it. */
  startAfter?: string;
  /** The backend's own continuation token from a previous `ListResult`. */
  continuationToken?: string;
  /** 0–1000. Objects and common prefixes together count against it. */
  maxKeys: number;
  signal?: AbortSignal;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  storageClass?: string;
}

export interface ListResult {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Opaque to the gateway, which wraps it in its own signed token. Present when truncated. */
  nextContinuationToken?: string;
}

export interface PutResult {
  etag: string;
}

export interface Backend {
  /** A short name for logs and errors, e.g. `fs` or `s3`. */
  readonly kind: string;
  /**
   * False when the connection cannot write at all (read-only, or no
   * credentials to sign with): writes are then refused before any call.
   */
  readonly writable?: boolean;
  /**
   * The connection's circuit breaker, for readiness: its state, and whether
   * an open circuit should make the server report itself not ready.
   * Absent for backends without one.
   */
  circuitState?(): ConnectionCircuit | undefined;
  head(key: string, options?: { conditions?: ReadConditions; signal?: AbortSignal }): Promise<ObjectInfo>;
  get(key: string, options?: GetOptions): Promise<GetResult>;
  list(params: ListParams): Promise<ListResult>;
  put(key: string, body: Body, metadata: ObjectMetadata, options?: PutOptions): Promise<PutResult>;
  delete(key: string): Promise<void>;
  /**
   * Optional: this backend as the bucket at `prefix` (non-empty) sees it,
   * for a backend that can confine a bucket natively (the fs backend follows
   * links only inside the bucket's folder). Keys and listings must behave
   * exactly as through `prefixKeys` (`scoped-backend.ts`), which is used
   * when a backend lacks this.
   */
  withPrefix?(prefix: string): Backend;
}

/** A connection's circuit breaker as readiness reports it. */
export interface ConnectionCircuit {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  affectsReadiness: boolean;
}

export interface PutOptions {
  signal?: AbortSignal;
  /** The body's length when the client declared it (some backends must send it up front). */
  contentLength?: number;
  /** A multipart part's verified checksum with its upload's algorithm; its value is known once the body has ended. */
  checksum?: ObjectChecksum;
}
