/**
 * The access-control sections of the configuration document: accounts with
 * their grants, access keys, and the policy store. Shapes and per-field
 * rules only; references between sections (a key's account exists, a grant
 * names a configured bucket) are checked in `policy-checks.ts`.
 */
import { z } from 'zod';
import { bindingNameProblem, expiryProblem, grantPrefixProblem, masterKeyProblem, parseExpiry, serviceUrlProblem } from './rules.ts';
import { nonEmpty, ruled } from './schema-parts.ts';
import { DEFAULT_BUCKET_PREFIX_TEMPLATE, bucketPrefixTemplateProblem } from './bucket-prefix-template.ts';

export const DEFAULT_POLICY_CACHE_TTL_SECONDS = 30;

/** One permission statement: the form of account grants and key ceilings alike. */
export const statementSchema = z.strictObject({
  bucket: nonEmpty('bucket'),
  // Read-only outputs, as `PermissionStatement` (core/identity.ts) declares them.
  actions: z.array(z.enum(['read', 'write'])).min(1, { error: 'list at least one action: read, write' }).readonly(),
  prefixes: z.array(ruled(grantPrefixProblem)).readonly().optional(),
});

/** Where an account's client-created buckets go: a connection, and a prefix template within it. */
export const createBucketsSchema = z.strictObject({
  connection: nonEmpty('connection'),
  prefix: ruled(bucketPrefixTemplateProblem).default(DEFAULT_BUCKET_PREFIX_TEMPLATE),
});

export const accountSchema = z.strictObject({
  grants: z.array(statementSchema).default(() => []),
  /** When present, the account may create buckets (CreateBucket) and delete those it created. */
  createBuckets: createBucketsSchema.optional(),
});

/** An access key's fields as written in the document. */
export const accessKeyFieldsSchema = z.strictObject({
  secret: z.string().min(16, { error: 'must be at least 16 characters' }),
  account: nonEmpty('account'),
  label: z.string().default(''),
  expires: ruled(expiryProblem).transform(parseExpiry).optional(),
  disabled: z.boolean().default(false),
  ceiling: z.array(statementSchema).optional(),
});

/** An access key in the runtime's terms (`secret` → `secretAccessKey`, `disabled` → `status`, `expires` → `expiresAt`). */
export const accessKeySchema = accessKeyFieldsSchema.transform(({ secret, account, label, expires, disabled, ceiling }) => ({
  secretAccessKey: secret,
  account,
  label,
  status: disabled ? ('disabled' as const) : ('active' as const),
  ...(expires !== undefined && { expiresAt: expires }),
  ...(ceiling !== undefined && { ceiling }),
}));

/** One kind of policy API lookup: how long an answer is fresh, and how long past that it may answer while the API fails. */
const lookupSchema = z.strictObject({
  ttlSeconds: z.number().int().min(30, { error: 'must be 30 to 60 seconds' }).max(60, { error: 'must be 30 to 60 seconds' }),
  staleSeconds: z.number().int().min(0).max(3600, { error: 'must be at most 3600 seconds' }),
});

/** How a remote policy API is called: a static bearer token, or a JWT from this server's issuer (`sub` = the account, `aud` = `audience`). */
const policyApiAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(16, { error: 'must be at least 16 characters' }) }),
  z.strictObject({ type: z.literal('issuer'), audience: nonEmpty('audience') }),
], { error: 'must be { type: bearer, token } or { type: issuer, audience }' });

export const DEFAULT_POLICY_API_LOOKUPS = {
  products: { ttlSeconds: 60, staleSeconds: 300 },
  memberships: { ttlSeconds: 60, staleSeconds: 300 },
  permissions: { ttlSeconds: 30, staleSeconds: 120 },
} as const;

export const policySchema = z.strictObject({
  /**
   * `api`: a read-only remote policy API (docs/policy-api.md) under the file's definitions; `d1`: a Cloudflare D1
   * database bound to the Worker, with the SQLite store's schema, under the file's definitions. Absent: the file,
   * and a database when one is named.
   */
  type: z.enum(['api', 'd1'], {
    error: 'must be "api" (a remote policy API) or "d1" (a D1 database on Cloudflare Workers); leave it out for the configuration file with an optional database',
  }).optional(),
  /** The Worker's D1 database binding (with `type: d1`), as `binding` under `[[d1_databases]]` in wrangler.toml. */
  binding: ruled(bindingNameProblem).optional(),
  /** The policy API's base URL (with `type: api`). */
  url: ruled(serviceUrlProblem(['https:', 'http:'])).optional(),
  auth: policyApiAuthSchema.optional(),
  /** Per-lookup TTLs and stale bounds of the policy API; each kind defaults separately. */
  lookups: z.strictObject({ products: lookupSchema.optional(), memberships: lookupSchema.optional(), permissions: lookupSchema.optional() }).optional(),
  /** SQLite database for keys, accounts, grants and buckets managed at run time (absolute once validated). */
  sqlitePath: nonEmpty('sqlitePath').optional(),
  /** PostgreSQL database shared by a fleet (`postgres://…`); instead of `sqlitePath`, never with it. */
  postgresUrl: ruled(serviceUrlProblem(['postgres:', 'postgresql:'])).optional(),
  /** Redis shared by a fleet as a second cache tier in front of the store (`redis://…`); optional. */
  redisUrl: ruled(serviceUrlProblem(['redis:', 'rediss:'])).optional(),
  /** Master key (base64 of 32 bytes) that encrypts stored secrets; required with `sqlitePath`, `postgresUrl`, `type: d1` or `redisUrl`. */
  masterKey: ruled(masterKeyProblem).optional(),
  // Revocations made by another process must show within a minute.
  cacheTtlSeconds: z.number().int().min(0).max(60).default(DEFAULT_POLICY_CACHE_TTL_SECONDS),
});
