/**
 * The authorize stage: every target of an operation is resolved to its
 * bucket and scoped backend and checked once, here, before dispatch.
 *
 * Handlers receive only the `Authorized*` values this module makes — their
 * brand is private to it — so a handler cannot reach a backend with a target
 * nobody checked. Two rules live here and nowhere else:
 * - existence does not leak: a missing bucket and one the caller may not see
 *   get the same 403, and so does a forbidden action on a visible bucket;
 * - writes need a writable connection (not read-only, able to sign), checked
 *   before any backend call.
 */
import type { AccessPolicy } from './access-policy.ts';
import type { Backend } from './backend.ts';
import type { Resolver } from './bucket-resolver.ts';
import type { BucketRegistry } from './bucket-registry.ts';
import type { BucketConfig } from './config.ts';
import { S3Error, accessDenied, notImplemented } from './errors/s3-error.ts';
import type { Identity } from './identity.ts';
import { compareKeys } from './s3/key-order.ts';
import type {
  BucketRemovalTarget, BucketTarget, KeysTarget, ListTarget, NewBucketTarget, ObjectTarget, PlannedOperation, Target, UploadsTarget,
} from './s3/targets.ts';

const AUTHORIZED: unique symbol = Symbol('authorized');

interface Authorized {
  readonly [AUTHORIZED]: true;
}

/** One object the caller may read or write. */
export interface AuthorizedObject extends Authorized {
  readonly bucket: BucketConfig;
  readonly backend: Backend;
  /** The key within the bucket. */
  readonly key: string;
  readonly action: 'read' | 'write';
}

/** A bucket the caller may see (it answers as existing). */
export interface AuthorizedBucket extends Authorized {
  readonly bucket: BucketConfig;
}

/** A listing of one bucket under a prefix the caller may list. */
export interface AuthorizedBucketListing extends Authorized {
  readonly kind: 'bucket';
  readonly bucket: BucketConfig;
  readonly backend: Backend;
  readonly prefix: string;
}

/**
 * A path-mapped account listed as one bucket whose keys are `{product}/{key}`.
 * Every product the caller may see can appear as a rolled-up common prefix;
 * only those it may list at the requested depth can be descended into.
 */
export interface AuthorizedAccountListing extends Authorized {
  readonly kind: 'account';
  readonly account: string;
  /** In key order of `{name}/`. */
  readonly products: readonly AccountProduct[];
}

export interface AccountProduct {
  /** `{name}/`: where the product's keys start in the account's key space. */
  readonly root: string;
  readonly bucket: BucketConfig;
  /** Absent when the caller may see the product but not list it at the requested prefix. */
  readonly listing?: AuthorizedBucketListing;
}

export type AuthorizedListing = AuthorizedBucketListing | AuthorizedAccountListing;

/** Keys of one bucket named later (DeleteObjects): each is authorized on its own; a denied key never reaches the backend. */
export interface KeyAuthorizer extends Authorized {
  readonly bucket: BucketConfig;
  /** The authorized object, or null when the caller may not write that key. */
  authorize(key: string): Promise<AuthorizedObject | null>;
}

/** The uploads in progress in one bucket under a prefix the caller may both list and write. */
export interface AuthorizedUploads extends Authorized {
  readonly bucket: BucketConfig;
  readonly backend: Backend;
  readonly prefix: string;
}

/**
 * A bucket the caller's account may create: its configuration as it will be
 * stored (owned by the account, placed where the account's template says),
 * the bucket's view of its connection, and the connection itself.
 */
export interface AuthorizedBucketCreation extends Authorized {
  readonly bucket: BucketConfig & { account: string };
  readonly backend: Backend;
  readonly connection: Backend;
  readonly registry: BucketRegistry;
}

/** A bucket created at run time by the caller's account, which it may delete. */
export interface AuthorizedBucketRemoval extends Authorized {
  readonly bucket: BucketConfig & { account: string };
  readonly backend: Backend;
  readonly connection: Backend;
  readonly registry: BucketRegistry;
}

type AuthorizedFor<T> = T extends NewBucketTarget
  ? AuthorizedBucketCreation
  : T extends BucketRemovalTarget
  ? AuthorizedBucketRemoval
  : T extends UploadsTarget
  ? AuthorizedUploads
  : T extends ObjectTarget
  ? AuthorizedObject
  : T extends ListTarget
    ? AuthorizedListing
    : T extends BucketTarget
      ? AuthorizedBucket
      : T extends KeysTarget
        ? KeyAuthorizer
        : T;

/** A planned operation with each target replaced by its authorized form. */
export type AuthorizedOperation = PlannedOperation extends infer P
  ? P extends PlannedOperation
    ? { [K in keyof P]: AuthorizedFor<P[K]> }
    : never
  : never;

export interface AuthorizeContext {
  identity: Identity;
  policy: AccessPolicy;
  resolver: Resolver;
  /** Buckets clients create and delete; without it no account may. */
  buckets?: BucketRegistry;
}

/** Resolve and check every target of `planned`; throws AccessDenied at the first one refused. */
export async function authorizeOperation(ctx: AuthorizeContext, planned: PlannedOperation): Promise<AuthorizedOperation> {
  const out: Record<string, unknown> = {};
  // Every field but the name and the operation itself is a target.
  for (const [field, value] of Object.entries(planned)) {
    out[field] = field === 'name' || field === 'op' ? value : await authorizeTarget(ctx, value as Target);
  }
  return out as AuthorizedOperation;
}

function authorizeTarget(ctx: AuthorizeContext, target: Target): Promise<unknown> {
  switch (target.kind) {
    case 'object':
      return authorizeObject(ctx, target);
    case 'list':
      return authorizeListing(ctx, target);
    case 'bucket':
      return authorizeBucket(ctx, target);
    case 'keys':
      return authorizeKeys(ctx, target);
    case 'uploads':
      return authorizeUploads(ctx, target);
    case 'new-bucket':
      return authorizeCreation(ctx, target);
    case 'bucket-removal':
      return authorizeRemoval(ctx, target);
  }
}

/** What a caller gets for a bucket that does not exist: the same as for one it may not see. */
export function missingBucket(): S3Error {
  return accessDenied();
}

async function authorizeObject(ctx: AuthorizeContext, target: ObjectTarget): Promise<AuthorizedObject> {
  const found = await ctx.resolver.object(target.bucket, target.key);
  if (!found) throw missingBucket();
  const object = await checkObject(ctx, found.bucket, found.key, target.action);
  if (!object) throw accessDenied();
  return object;
}

async function checkObject(ctx: AuthorizeContext, bucket: BucketConfig, key: string, action: 'read' | 'write'): Promise<AuthorizedObject | null> {
  const backend = ctx.resolver.backendFor(bucket);
  if (action === 'write' && backend.writable === false) return null;
  if (!(await ctx.policy.allows(ctx.identity, { action, bucket, path: key, scope: 'object' }))) return null;
  return { [AUTHORIZED]: true, bucket, backend, key, action };
}

async function visible(ctx: AuthorizeContext, bucket: BucketConfig | null): Promise<BucketConfig> {
  if (!bucket || !(await ctx.policy.canSee(ctx.identity, bucket))) throw missingBucket();
  return bucket;
}

async function authorizeBucket(ctx: AuthorizeContext, target: BucketTarget): Promise<AuthorizedBucket> {
  if (ctx.resolver.mode === 'path') {
    return { [AUTHORIZED]: true, bucket: await visible(ctx, await ctx.resolver.bucket(target.bucket)) };
  }
  // Path-mapped: the "bucket" is an account, visible through any product the caller may see.
  const [first] = await visibleProducts(ctx, target.bucket);
  if (!first) throw missingBucket();
  return { [AUTHORIZED]: true, bucket: first };
}

async function bucketListing(ctx: AuthorizeContext, bucket: BucketConfig, prefix: string): Promise<AuthorizedBucketListing | null> {
  if (!(await ctx.policy.allows(ctx.identity, { action: 'read', bucket, path: prefix, scope: 'list' }))) return null;
  return { [AUTHORIZED]: true, kind: 'bucket', bucket, backend: ctx.resolver.backendFor(bucket), prefix };
}

async function authorizeListing(ctx: AuthorizeContext, target: ListTarget): Promise<AuthorizedListing> {
  if (ctx.resolver.mode === 'path') {
    const bucket = await visible(ctx, await ctx.resolver.bucket(target.bucket));
    const listing = await bucketListing(ctx, bucket, target.prefix);
    if (!listing) throw accessDenied();
    return listing;
  }
  return authorizeAccountListing(ctx, target.bucket, target.prefix);
}

/**
 * An account listing under `prefix`. A prefix inside one product (`climate/…`)
 * is that product's listing and is refused as a bucket listing would be;
 * a shorter prefix spans products, and each is descended into only where the
 * caller may list all of it.
 */
async function authorizeAccountListing(ctx: AuthorizeContext, account: string, prefix: string): Promise<AuthorizedAccountListing> {
  const products: AccountProduct[] = [];
  for (const bucket of await visibleProducts(ctx, account)) {
    const root = `${bucket.name}/`;
    if (prefix.startsWith(root)) {
      const listing = await bucketListing(ctx, bucket, prefix.slice(root.length));
      if (!listing) throw accessDenied();
      products.push({ root, bucket, listing });
    } else if (root.startsWith(prefix)) {
      const listing = await bucketListing(ctx, bucket, '');
      products.push(listing ? { root, bucket, listing } : { root, bucket });
    }
  }
  return { [AUTHORIZED]: true, kind: 'account', account, products };
}

async function visibleProducts(ctx: AuthorizeContext, account: string): Promise<BucketConfig[]> {
  const all = await ctx.resolver.store.listProducts(account);
  const seen = await Promise.all(all.map((bucket) => ctx.policy.canSee(ctx.identity, bucket)));
  const products = all.filter((_, i) => seen[i]).sort((a, b) => compareKeys(`${a.name}/`, `${b.name}/`));
  if (products.length === 0) throw missingBucket();
  return products;
}

async function authorizeKeys(ctx: AuthorizeContext, target: KeysTarget): Promise<KeyAuthorizer> {
  if (ctx.resolver.mode === 'path') {
    const bucket = await visible(ctx, await ctx.resolver.bucket(target.bucket));
    return { [AUTHORIZED]: true, bucket, authorize: (key) => checkObject(ctx, bucket, key, target.action) };
  }
  // Path-mapped: keys are `{product}/{key}` under the account; each resolves on its own.
  const [first] = await visibleProducts(ctx, target.bucket);
  return {
    [AUTHORIZED]: true,
    bucket: first!,
    async authorize(key) {
      const found = await ctx.resolver.object(target.bucket, key);
      return found && checkObject(ctx, found.bucket, found.key, target.action);
    },
  };
}

/**
 * ListMultipartUploads: the bucket must be visible, the caller must be able to list the prefix and to
 * write under it, and the connection must be writable. Path-mapped accounts are not offered: an upload
 * belongs to one product, so the caller names the product bucket.
 */
async function authorizeUploads(ctx: AuthorizeContext, target: UploadsTarget): Promise<AuthorizedUploads> {
  if (ctx.resolver.mode !== 'path') throw notImplemented('ListMultipartUploads on a path-mapped account');
  const bucket = await visible(ctx, await ctx.resolver.bucket(target.bucket));
  const backend = ctx.resolver.backendFor(bucket);
  const path = target.prefix;
  const allowed = backend.writable !== false
    && (await ctx.policy.allows(ctx.identity, { action: 'read', bucket, path, scope: 'list' }))
    && (await ctx.policy.allows(ctx.identity, { action: 'write', bucket, path, scope: 'list' }));
  if (!allowed) throw accessDenied();
  return { [AUTHORIZED]: true, bucket, backend, prefix: path };
}

/**
 * CreateBucket: a signed caller whose account may create buckets, on a
 * connection that can write, with credentials whose ceiling (if any) allows
 * writing the new bucket. Path-mapped addressing names accounts, not
 * buckets, in the first path segment, so creation is not offered there.
 */
async function authorizeCreation(ctx: AuthorizeContext, target: NewBucketTarget): Promise<AuthorizedBucketCreation> {
  if (ctx.resolver.mode !== 'path') throw notImplemented('CreateBucket with path-mapped addressing');
  const { identity, buckets: registry } = ctx;
  if (identity.kind === 'anonymous' || !registry) throw accessDenied();
  const placement = await registry.placement(identity.account, target.bucket);
  if (!placement) throw accessDenied();
  const bucket = { name: target.bucket, ...placement, public: false, readOnly: false, account: identity.account };
  const backend = ctx.resolver.backendFor(bucket);
  if (backend.writable === false) throw accessDenied();
  if (!(await ctx.policy.allows(identity, { action: 'write', bucket, path: '', scope: 'list' }))) throw accessDenied();
  return { [AUTHORIZED]: true, bucket, backend, connection: ctx.resolver.connection(bucket.connection), registry };
}

/**
 * DeleteBucket: only a bucket created at run time, by the caller's account,
 * with credentials that may write it. A caller whose account may create
 * buckets learns whether a name exists anyway (CreateBucket answers
 * BucketAlreadyExists), so it gets S3's NoSuchBucket for a missing one;
 * anyone else gets the AccessDenied that hides existence.
 */
async function authorizeRemoval(ctx: AuthorizeContext, target: BucketRemovalTarget): Promise<AuthorizedBucketRemoval> {
  if (ctx.resolver.mode !== 'path') throw notImplemented('DeleteBucket with path-mapped addressing');
  const { identity, buckets: registry } = ctx;
  if (identity.kind === 'anonymous' || !registry) throw accessDenied();
  const found = await ctx.resolver.bucket(target.bucket);
  if (!found) {
    if (await registry.placement(identity.account, target.bucket)) {
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: target.bucket });
    }
    throw missingBucket();
  }
  const created = await registry.created(target.bucket);
  if (!created || created.account !== identity.account || found.account !== identity.account) throw accessDenied();
  const bucket = { ...found, account: identity.account };
  const backend = ctx.resolver.backendFor(bucket);
  if (backend.writable === false) throw accessDenied();
  if (!(await ctx.policy.allows(identity, { action: 'write', bucket, path: '', scope: 'list' }))) throw accessDenied();
  return { [AUTHORIZED]: true, bucket, backend, connection: ctx.resolver.connection(bucket.connection), registry };
}
