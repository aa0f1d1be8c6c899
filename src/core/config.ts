import type { PermissionStatement } from './identity.ts';

/**
 * The validated configuration the gateway runs on. `src/config/` turns a YAML
 * or JSON document into this shape (reporting every problem at once); the
 * core only ever sees the validated form.
 */

export interface MemoryConnection {
  type: 'memory';
  name: string;
  readOnly: boolean;
  /** Largest object one PutObject may store, in bytes; see `core/upload/size-limit.ts` for defaults. */
  maxObjectSize?: number;
}

export interface FsConnection {
  type: 'fs';
  name: string;
  /** Absolute path (the loader resolves it against the config file's folder). */
  root: string;
  readOnly: boolean;
  /** Largest object one PutObject may store, in bytes; see `core/upload/size-limit.ts` for defaults. */
  maxObjectSize?: number;
}

/** Static keys for an S3 connection (usually from environment variables). */
export interface S3ConnectionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3Connection {
  type: 's3';
  name: string;
  /** Service URL, http or https, e.g. `https://s3.us-west-2.amazonaws.com`. */
  endpoint: string;
  region: string;
  /** The bucket in the backend store. */
  bucket: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** Base prefix within the backend bucket: "" or ending in "/". */
  prefix: string;
  readOnly: boolean;
  /** Absent: requests go unsigned, which suits public data (and cannot write). */
  credentials?: S3ConnectionCredentials;
  /** Largest object one PutObject may store, in bytes (default S3's 5 GiB single-PUT limit). */
  maxObjectSize?: number;
  /** Timeouts per try, in ms; absent: the S3 backend's defaults. */
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Retries of idempotent requests after the first try. */
  retries?: number;
  /** Total time for a request's tries, in ms. */
  retryDeadlineMs?: number;
  circuitBreaker?: S3CircuitBreakerConfig;
}

export interface S3CircuitBreakerConfig {
  enabled: boolean;
  failureThreshold?: number;
  coolDownMs?: number;
  /** Whether readiness reports not ready while the circuit is open. */
  affectsReadiness: boolean;
}

export type ConnectionConfig = MemoryConnection | FsConnection | S3Connection;

export interface BucketConfig {
  /** The name clients see. In path-mapped mode, the product name within `account`. */
  name: string;
  /** Owning account; required in path-mapped mode, where buckets are addressed as `/{account}/{name}`. */
  account?: string;
  /** Name of the connection the bucket lives on. */
  connection: string;
  /** Key prefix within the connection ("" for the whole connection, otherwise ends without a leading slash). */
  prefix: string;
  /** Anonymous callers may read public buckets. */
  public: boolean;
  /** Writes are refused even where the connection would allow them. */
  readOnly: boolean;
  /** Region reported by GetBucketLocation. */
  region?: string;
}

export interface CorsConfig {
  /** Exact origins, or "*" for any. */
  allowedOrigins: string[];
  allowedMethods: string[];
  /** Request headers a preflight may ask for; "*" allows any. */
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
  allowCredentials: boolean;
}

export type AddressingMode = 'path' | 'path-mapped';

export interface ServerConfig {
  /** host:port for `sluice serve` when `--listen` is not given. */
  listen: string;
  /** How the first path segment is read: a bucket (`path`) or an account (`path-mapped`). */
  addressing: AddressingMode;
  /** When set, `{bucket}.{virtualHostDomain}` Host headers select the bucket (virtual-host style). */
  virtualHostDomain?: string;
  /** Default region reported for buckets. */
  region: string;
  /** Regions a SigV4 credential scope may name; any region when absent. */
  allowedRegions?: string[];
  cors?: CorsConfig;
  accessLog: boolean;
  /** Key for the HMAC that makes list continuation tokens unforgeable; random per process when absent. */
  tokenSecret?: string;
  /** Seconds to wait for in-flight requests on SIGTERM. */
  shutdownGraceSeconds: number;
}

/** An account defined in the config file, with the grants it holds. */
export interface AccountConfig {
  name: string;
  grants: PermissionStatement[];
}

/** A long-lived access key defined in the config file (its secret usually from an environment variable). */
export interface AccessKeyConfig {
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
  label: string;
  status: 'active' | 'disabled';
  expiresAt?: Date;
  ceiling?: PermissionStatement[];
}

export interface PolicyConfig {
  /** SQLite database for keys, accounts, grants and buckets managed at run time (absolute path). */
  sqlitePath?: string;
  /** Master key (base64 of 32 bytes) that encrypts stored secrets; required with `sqlitePath`. */
  masterKey?: string;
  /** How long policy lookups are cached; changes made by another process show within this. */
  cacheTtlSeconds: number;
}

export interface SluiceConfig {
  server: ServerConfig;
  connections: Record<string, ConnectionConfig>;
  buckets: BucketConfig[];
  accounts: AccountConfig[];
  accessKeys: AccessKeyConfig[];
  policy: PolicyConfig;
}
