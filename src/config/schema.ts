/**
 * The user-facing configuration document (YAML or JSON) as a zod schema,
 * with every default. Objects are strict so a misspelt field is an error
 * rather than silently ignored. Rules that span fields (a bucket's
 * connection exists, names are unique, …) live in `cross-checks.ts`; the
 * access-control sections have their own module, `policy-schema.ts`.
 */
import { z } from 'zod';
import { accessKeySchema, accountSchema, policySchema } from './policy-schema.ts';
import {
  allowedHeaderProblem,
  bucketNameProblem,
  endpointProblem,
  headerNameProblem,
  hostnameProblem,
  listenProblem,
  normalizePrefix,
  originProblem,
  prefixProblem,
  regionProblem,
} from './rules.ts';
import { nonEmpty, ruled } from './schema-parts.ts';

export const DEFAULT_EXPOSE_HEADERS = [
  'ETag',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'Last-Modified',
  'Accept-Ranges',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amz-delete-marker',
] as const;

export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'] as const;

export const corsSchema = z.strictObject({
  allowedOrigins: z.array(ruled(originProblem)).min(1, { error: 'list at least one origin, or "*"' }),
  allowedMethods: z
    .array(z.enum(CORS_METHODS))
    .min(1, { error: 'list at least one method' })
    .default(() => ['GET' as const, 'HEAD' as const]),
  // Lower-cased: preflights send Access-Control-Request-Headers in lower case.
  allowedHeaders: z
    .array(ruled(allowedHeaderProblem).transform((name) => name.toLowerCase()))
    .default(() => ['*']),
  exposeHeaders: z.array(ruled(headerNameProblem)).default(() => [...DEFAULT_EXPOSE_HEADERS]),
  maxAgeSeconds: z.number().int().min(0).default(3600),
  allowCredentials: z.boolean().default(false),
});

export const serverSchema = z.strictObject({
  listen: ruled(listenProblem).default('127.0.0.1:9000'),
  addressing: z.enum(['path', 'path-mapped']).default('path'),
  // Host names are case-insensitive; the gateway compares lower-case Host headers.
  virtualHostDomain: ruled(hostnameProblem)
    .transform((host) => host.toLowerCase())
    .optional(),
  region: ruled(regionProblem).default('us-east-1'),
  // Regions a SigV4 credential scope may name; any when absent (the scope's region is still used to derive the key).
  allowedRegions: z.array(ruled(regionProblem)).min(1, { error: 'list at least one region, or leave the field out' }).optional(),
  cors: corsSchema.optional(),
  accessLog: z.boolean().default(true),
  tokenSecret: z.string().min(32, { error: 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)' }).optional(),
  shutdownGraceSeconds: z.number().int().min(0).max(3600).default(30),
});

// Largest object one PutObject may store; defaults per type in core/upload/size-limit.ts.
const maxObjectSize = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional();
const milliseconds = z.number().int().min(1).max(600_000);

export const fsConnectionSchema = z.strictObject({
  type: z.literal('fs'),
  root: nonEmpty('root'),
  readOnly: z.boolean().default(false),
  maxObjectSize,
});

export const memoryConnectionSchema = z.strictObject({
  type: z.literal('memory'),
  readOnly: z.boolean().default(false),
  maxObjectSize,
});

export const circuitBreakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  failureThreshold: z.number().int().min(1).max(1000).optional(),
  coolDownMs: milliseconds.optional(),
  // Whether /.ready reports not ready while this connection's circuit is open.
  affectsReadiness: z.boolean().default(false),
});

export const s3CredentialsSchema = z.strictObject({
  accessKeyId: nonEmpty('accessKeyId'),
  secretAccessKey: nonEmpty('secretAccessKey'),
  sessionToken: nonEmpty('sessionToken').optional(),
});

export const s3ConnectionSchema = z.strictObject({
  type: z.literal('s3'),
  endpoint: ruled(endpointProblem),
  region: ruled(regionProblem),
  bucket: ruled(bucketNameProblem),
  forcePathStyle: z.boolean().default(false),
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  readOnly: z.boolean().default(false),
  // Absent: unsigned requests, for public data.
  credentials: s3CredentialsSchema.optional(),
  maxObjectSize,
  // Absent: the S3 backend's defaults (backends/s3/options.ts S3_DEFAULTS).
  connectTimeoutMs: milliseconds.optional(),
  responseTimeoutMs: milliseconds.optional(),
  idleTimeoutMs: milliseconds.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retryDeadlineMs: milliseconds.optional(),
  circuitBreaker: circuitBreakerSchema.optional(),
});

export const connectionSchema = z.discriminatedUnion('type', [fsConnectionSchema, memoryConnectionSchema, s3ConnectionSchema]);

export const bucketSchema = z.strictObject({
  /** Defaults to the map key; needed when two accounts publish a product of the same name. */
  name: z.string().optional(),
  connection: nonEmpty('connection'),
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  public: z.boolean().default(false),
  readOnly: z.boolean().default(false),
  account: ruled(bucketNameProblem).optional(),
  region: ruled(regionProblem).optional(),
});

export const configDocumentSchema = z.strictObject({
  server: serverSchema.prefault({}),
  connections: z.record(z.string(), connectionSchema).default({}),
  buckets: z.record(z.string(), bucketSchema).default({}),
  accounts: z.record(z.string(), accountSchema).default({}),
  /** Keyed by access key id. */
  accessKeys: z.record(z.string(), accessKeySchema).default({}),
  policy: policySchema.prefault({}),
});

/** The document after parsing: defaults applied, still in map form. */
export type ConfigDocument = z.output<typeof configDocumentSchema>;
