/**
 * The S3 backend as a plug-in: `type: s3` with endpoint, region, bucket,
 * addressing style, a base prefix, its timeouts, retries and circuit
 * breaker, and its outbound credentials — static keys (`credentials`), or
 * `auth`: web-identity federation (a role assumed with a token Sluice mints)
 * or keys sealed in the policy store. Every S3
 * connection uses the runtime's one HTTP client, so keep-alive pools are
 * shared.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { bucketNameProblem, endpointProblem, normalizePrefix, prefixProblem, regionProblem } from '../../config/rules.ts';
import { nonEmpty, ruled } from '../../config/schema-parts.ts';
import { regionalStsEndpoint } from '../../federation/sts-client.ts';
import { type BackendServices, defineBackendPlugin, type ConnectionOf } from '../plugin.ts';
import type { S3BackendOptions, S3CredentialSource, S3RetryOptions } from './options.ts';
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

/** An IAM role ARN: `arn:{partition}:iam::{12-digit account}:role/{path and name}`. */
const roleArnPattern = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Credentials obtained with `AssumeRoleWithWebIdentity`, presenting a token from Sluice's issuer. */
export const webIdentityAuthSchema = z.strictObject({
  type: z.literal('web-identity'),
  roleArn: z.string().regex(roleArnPattern, { error: 'must be an IAM role ARN (arn:aws:iam::123456789012:role/name)' }),
  /** The token's `aud`; what the role's trust policy pins. */
  audience: nonEmpty('audience').default('sts.amazonaws.com'),
  /** Inline session policy narrowing the role for this connection: JSON text or a mapping. */
  sessionPolicy: z.union([nonEmpty('sessionPolicy'), z.record(z.string(), z.unknown()).transform((policy) => JSON.stringify(policy))]).optional(),
  /** Session length STS is asked for (900 s to the role's maximum, at most 12 h). */
  durationSeconds: z.number().int().min(900).max(43_200).optional(),
  /** Default: the connection region's regional endpoint, `https://sts.{region}.amazonaws.com`. */
  stsEndpoint: ruled(endpointProblem).optional(),
});

/** Keys sealed in the policy store (`sluice connections set-credentials`). */
export const storedAuthSchema = z.strictObject({ type: z.literal('stored') });

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
  /** Outbound credentials other than static keys; exclusive with `credentials`. */
  auth: z.discriminatedUnion('type', [webIdentityAuthSchema, storedAuthSchema]).optional(),
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
    ...credentialsOf(connection, services),
  };
}
function credentialsOf(connection: S3ConnectionConfig, services: BackendServices): { credentials?: S3CredentialSource } {
  const { auth, name } = connection;
  if (auth !== undefined && connection.credentials !== undefined) {
    throw new TypeError(`connection ${name}: set either credentials or auth, not both`);
  }
  if (connection.credentials !== undefined) return { credentials: { ...connection.credentials } };
  if (auth === undefined) return {};
  if (auth.type === 'stored') {
    const stored = services.credentials?.stored;
    if (!stored) throw new TypeError(`connection ${name}: auth type stored needs the policy store (policy.sqlitePath and policy.masterKey)`);
    return { credentials: stored(name) };
  }
  const webIdentity = services.credentials?.webIdentity;
  if (!webIdentity) throw new TypeError(`connection ${name}: auth type web-identity needs the issuer section (Sluice signs the identity token)`);
  return {
    credentials: webIdentity({
      connection: name,
      roleArn: auth.roleArn,
      audience: auth.audience,
      stsEndpoint: auth.stsEndpoint ?? regionalStsEndpoint(connection.region),
      ...(auth.sessionPolicy !== undefined && { sessionPolicy: auth.sessionPolicy }),
      ...(auth.durationSeconds !== undefined && { durationSeconds: auth.durationSeconds }),
    }),
  };
}
