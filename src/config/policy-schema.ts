/**
 * The access-control sections of the configuration document: accounts with
 * their grants, access keys, and the policy store. Shapes and per-field
 * rules only; references between sections (a key's account exists, a grant
 * names a configured bucket) are checked in `policy-checks.ts`.
 */
import { z } from 'zod';
import { expiryProblem, grantPrefixProblem, masterKeyProblem, parseExpiry, serviceUrlProblem } from './rules.ts';
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

export const policySchema = z.strictObject({
  /** SQLite database for keys, accounts, grants and buckets managed at run time (absolute once validated). */
  sqlitePath: nonEmpty('sqlitePath').optional(),
  /** PostgreSQL database shared by a fleet (`postgres://…`); instead of `sqlitePath`, never with it. */
  postgresUrl: ruled(serviceUrlProblem(['postgres:', 'postgresql:'])).optional(),
  /** Redis shared by a fleet as a second cache tier in front of the store (`redis://…`); optional. */
  redisUrl: ruled(serviceUrlProblem(['redis:', 'rediss:'])).optional(),
  /** Master key (base64 of 32 bytes) that encrypts stored secrets; required with `sqlitePath`, `postgresUrl` or `redisUrl`. */
  masterKey: ruled(masterKeyProblem).optional(),
  // Revocations made by another process must show within a minute.
  cacheTtlSeconds: z.number().int().min(0).max(60).default(DEFAULT_POLICY_CACHE_TTL_SECONDS),
});
