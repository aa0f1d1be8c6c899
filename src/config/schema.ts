/**
 * The user-facing configuration document (YAML or JSON) as a zod schema,
 * with every default. Objects are strict so a misspelt field is an error
 * rather than silently ignored. Rules that span fields (a bucket's
 * connection exists, names are unique, …) live in `cross-checks.ts`; the
 * access-control sections have their own module, `policy-schema.ts`, and
 * each connection kind's settings belong to its backend plug-in. The
 * configuration's TypeScript types are inferred from these schemas
 * (`core/config.ts`).
 */
import { z } from 'zod';
import { cacheSchema } from './cache-schema.ts';
import { connectionSettingsSchema, type ConnectionSettings } from './connection-schema.ts';
import { stsConfigSchema } from '../sts/config-schema.ts';
import { issuerSchema } from '../oidc/issuer/config-schema.ts';
import { adminSchema } from '../admin/config-schema.ts';
import { consoleSchema } from '../console/config-schema.ts';
import { accessKeySchema, accountSchema, policySchema } from './policy-schema.ts';
import { cidrProblem, limitsSchema, meteringSchema, metricsSchema, quotasSchema } from './operations-schema.ts';
import {
  allowedHeaderProblem,
  bucketNameProblem,
  headerNameProblem,
  hostnameProblem,
  listenProblem,
  normalizePrefix,
  originProblem,
  prefixProblem,
  regionProblem,
} from './rules.ts';
import { nonEmpty, ruled } from './schema-parts.ts';
import { SERVER_LIMIT_DEFAULTS } from './server-limits.ts';

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
  /** host:port for `sluice serve` when `--listen` is not given. */
  listen: ruled(listenProblem).default('127.0.0.1:9000'),
  /** How the first path segment is read: a bucket (`path`) or an account (`path-mapped`). */
  addressing: z.enum(['path', 'path-mapped']).default('path'),
  /** When set, `{bucket}.{virtualHostDomain}` Host headers select the bucket (virtual-host style). */
  // Host names are case-insensitive; the gateway compares lower-case Host headers.
  virtualHostDomain: ruled(hostnameProblem)
    .transform((host) => host.toLowerCase())
    .optional(),
  /** Default region reported for buckets. */
  region: ruled(regionProblem).default('us-east-1'),
  // Regions a SigV4 credential scope may name; any when absent (the scope's region is still used to derive the key).
  allowedRegions: z.array(ruled(regionProblem)).min(1, { error: 'list at least one region, or leave the field out' }).optional(),
  cors: corsSchema.optional(),
  accessLog: z.boolean().default(true),
  /** Key for the HMAC that makes list continuation tokens unforgeable; random per process when absent. */
  tokenSecret: z.string().min(32, { error: 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)' }).optional(),
  /** Seconds to wait for in-flight requests on SIGTERM. */
  shutdownGraceSeconds: z.number().int().min(0).max(3600).default(30),
  // Connection and upload limits: they keep slow or idle clients from holding connections for ever.
  maxConnections: z.number().int().min(1).max(1_000_000).default(SERVER_LIMIT_DEFAULTS.maxConnections),
  headersTimeoutSeconds: z.number().int().min(1).max(3600).default(SERVER_LIMIT_DEFAULTS.headersTimeoutSeconds),
  bodyIdleTimeoutSeconds: z.number().int().min(0).max(3600).default(SERVER_LIMIT_DEFAULTS.bodyIdleTimeoutSeconds),
  bodyMinBytesPerSecond: z.number().int().min(0).default(SERVER_LIMIT_DEFAULTS.bodyMinBytesPerSecond),
  bodyMinRateGraceSeconds: z.number().int().min(0).max(3600).default(SERVER_LIMIT_DEFAULTS.bodyMinRateGraceSeconds),
  /** Proxies (addresses or CIDRs) whose `X-Forwarded-For` names the client; the socket's peer otherwise. */
  trustedProxies: z.array(ruled(cidrProblem)).optional(),
});

export const bucketSchema = z.strictObject({
  /** Defaults to the map key; needed when two accounts publish a product of the same name. */
  name: z.string().optional(),
  /** Name of the connection the bucket lives on. */
  connection: nonEmpty('connection'),
  /** Key prefix within the connection: "" for the whole connection, otherwise ending in "/". */
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  /** Anonymous callers may read public buckets. */
  public: z.boolean().default(false),
  /** Writes are refused even where the connection would allow them. */
  readOnly: z.boolean().default(false),
  /** Owning account; required in path-mapped mode, where buckets are addressed as `/{account}/{name}`. */
  account: ruled(bucketNameProblem).optional(),
  /** Region reported by GetBucketLocation. */
  region: ruled(regionProblem).optional(),
  /** The hot-range cache for this bucket, field by field over its connection's `cache`. */
  cache: cacheSchema.optional(),
});

/**
 * The whole document. Validation passes the union of the connection kinds
 * the runtime registers (`connectionUnionSchema`); the static types are
 * taken with the opaque settings schema, as the core sees connections.
 */
export function configDocumentSchema<C extends z.ZodType<ConnectionSettings>>(connection: C) {
  return z.strictObject({
    server: serverSchema.prefault({}),
    connections: z.record(z.string(), connection).default({}),
    buckets: z.record(z.string(), bucketSchema).default({}),
    accounts: z.record(z.string(), accountSchema).default({}),
    /** Keyed by access key id. */
    accessKeys: z.record(z.string(), accessKeySchema).default({}),
    policy: policySchema.prefault({}),
    /** Federated identity: identity providers, roles and the session keys (absent: no STS endpoint). */
    sts: stsConfigSchema.optional(),
    /** Sluice as an OIDC issuer (outbound federation); absent: no discovery routes, no web-identity connections. */
    issuer: issuerSchema.optional(),
    /** The management API's operators (accounts that manage every account). */
    admin: adminSchema.optional(),
    /** Prometheus metrics at `/.metrics` (absent: none). */
    metrics: metricsSchema.optional(),
    /** Token-bucket rate limits (absent: none). */
    limits: limitsSchema.optional(),
    /** Per-account egress and request quotas (absent: none). */
    quotas: quotasSchema.optional(),
    /** One usage record per request to a sink (absent: none). */
    metering: meteringSchema.optional(),
    /** The web console at `/.console/`; absent: not served. */
    console: consoleSchema.optional(),
  });
}

/** The document's sections, for "did you mean" hints on unknown top-level fields. */
export const DOCUMENT_SECTIONS = Object.keys(configDocumentSchema(connectionSettingsSchema).shape);

/** The document after parsing: defaults applied, still in map form. */
export type ConfigDocument = z.output<ReturnType<typeof configDocumentSchema<typeof connectionSettingsSchema>>>;
