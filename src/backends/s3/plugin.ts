/**
 * The S3 backend as a plug-in: `type: s3` with endpoint, region, bucket,
 * addressing style, a base prefix, optional static keys, and its timeouts,
 * retries and circuit breaker. Every S3
 * connection uses the runtime's one HTTP client, so keep-alive pools are
 * shared.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { bucketNameProblem, endpointProblem, normalizePrefix, prefixProblem, regionProblem } from '../../config/rules.ts';
import { nonEmpty, ruled } from '../../config/schema-parts.ts';
import { type BackendServices, defineBackendPlugin, type ConnectionOf } from '../plugin.ts';
import type { S3BackendOptions, S3RetryOptions } from './options.ts';
import { S3Backend } from './s3-backend.ts';

export const s3CredentialsSchema = z.strictObject({
  accessKeyId: nonEmpty('accessKeyId'),
  secretAccessKey: nonEmpty('secretAccessKey'),
  sessionToken: nonEmpty('sessionToken').optional(),
});

const milliseconds = z.number().int().min(1).max(600_000);

export const circuitBreakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  failureThreshold: z.number().int().min(1).max(1000).optional(),
  coolDownMs: milliseconds.optional(),
  /** Whether /.ready reports not ready while this connection's circuit is open. */
  affectsReadiness: z.boolean().default(false),
});

export const s3ConnectionSchema = connectionSchema('s3', {
  /** Service URL, http or https, e.g. `https://s3.us-west-2.amazonaws.com`. */
  endpoint: ruled(endpointProblem),
  region: ruled(regionProblem),
  /** The bucket in the backend store. */
  bucket: ruled(bucketNameProblem),
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle: z.boolean().default(false),
  /** Base prefix within the backend bucket: "" or ending in "/". */
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  /** Absent: requests go unsigned, which suits public data (and cannot write). */
  credentials: s3CredentialsSchema.optional(),
  // Absent: the S3 backend's defaults (`options.ts`), documented in docs/backends-s3.md.
  connectTimeoutMs: milliseconds.optional(),
  /** Wait for the first byte of the answer, counted once the request body has been sent. */
  responseTimeoutMs: milliseconds.optional(),
  /** Longest pause between chunks, either way. */
  idleTimeoutMs: milliseconds.optional(),
  /** Extra tries for idempotent requests (jittered backoff). */
  retries: z.number().int().min(0).max(10).optional(),
  /** All tries of one request together end by this deadline. */
  retryDeadlineMs: milliseconds.optional(),
  circuitBreaker: circuitBreakerSchema.optional(),
});

export type S3ConnectionConfig = ConnectionOf<typeof s3ConnectionSchema>;

export const s3BackendPlugin = defineBackendPlugin({
  type: 's3',
  configSchema: s3ConnectionSchema,
  create: (connection, services) => new S3Backend(s3BackendOptions(connection, services)),
});

function s3BackendOptions(connection: S3ConnectionConfig, services: BackendServices): S3BackendOptions {
  const breaker = connection.circuitBreaker;
  const retry: S3RetryOptions = {};
  if (connection.retries !== undefined) retry.attempts = connection.retries + 1;
  if (connection.retryDeadlineMs !== undefined) retry.deadlineMs = connection.retryDeadlineMs;
  return {
    name: connection.name,
    endpoint: connection.endpoint,
    region: connection.region,
    bucket: connection.bucket,
    forcePathStyle: connection.forcePathStyle,
    prefix: connection.prefix,
    readOnly: connection.readOnly,
    http: services.httpClient(),
    now: services.now,
    log: services.log,
    retry,
    ...(connection.connectTimeoutMs !== undefined && { connectTimeoutMs: connection.connectTimeoutMs }),
    ...(connection.responseTimeoutMs !== undefined && { responseTimeoutMs: connection.responseTimeoutMs }),
    ...(connection.idleTimeoutMs !== undefined && { idleTimeoutMs: connection.idleTimeoutMs }),
    ...(breaker !== undefined && {
      circuitBreaker: breaker.enabled
        ? { failureThreshold: breaker.failureThreshold, coolDownMs: breaker.coolDownMs, affectsReadiness: breaker.affectsReadiness }
        : (false as const),
    }),
    // Absent credentials: unsigned requests, which can read public data but never write.
    ...(connection.credentials !== undefined && { credentials: { ...connection.credentials } }),
  };
}
