/**
 * ListBuckets, HeadBucket and GetBucketLocation. In path-mapped mode the
 * "buckets" clients see are accounts with at least one readable product.
 */
import { isAllowed, missingBucket } from '../authorize.ts';
import type { BucketConfig } from '../config.ts';
import type { GatewayResponse } from '../http.ts';
import { listBucketsXml, locationXml } from '../s3/list-response.ts';
import type { S3Operation } from '../s3/operation.ts';
import { type RequestContext, ownerOf, xmlResponse } from './context.ts';

function readable(ctx: RequestContext, bucket: BucketConfig): boolean {
  return isAllowed({ identity: ctx.identity, action: 'read', bucket, path: '' });
}

/** The bucket (or, path-mapped, the account's first readable product) a bucket-level request names. */
async function visibleBucket(ctx: RequestContext, name: string): Promise<BucketConfig> {
  const candidates = ctx.resolver.mode === 'path'
    ? [await ctx.resolver.bucket(name)]
    : await ctx.resolver.store.listProducts(name);
  const found = candidates.find((bucket): bucket is BucketConfig => bucket !== null && readable(ctx, bucket));
  if (!found) throw missingBucket();
  return found;
}

export async function listBuckets(ctx: RequestContext): Promise<GatewayResponse> {
  const all = (await ctx.resolver.store.listBuckets()).filter((bucket) => readable(ctx, bucket));
  const names = ctx.resolver.mode === 'path'
    ? all.map((bucket) => bucket.name)
    : [...new Set(all.flatMap((bucket) => (bucket.account === undefined ? [] : [bucket.account])))];
  names.sort();
  return xmlResponse(listBucketsXml(ownerOf(undefined), names.map((name) => ({ name, created: ctx.startedAt }))));
}

function regionOf(ctx: RequestContext, bucket: BucketConfig): string {
  return bucket.region ?? ctx.config.server.region;
}

export async function headBucket(ctx: RequestContext, op: Extract<S3Operation, { name: 'HeadBucket' }>): Promise<GatewayResponse> {
  const bucket = await visibleBucket(ctx, op.bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': regionOf(ctx, bucket) } };
}

export async function getBucketLocation(ctx: RequestContext, op: Extract<S3Operation, { name: 'GetBucketLocation' }>): Promise<GatewayResponse> {
  const bucket = await visibleBucket(ctx, op.bucket);
  return xmlResponse(locationXml(regionOf(ctx, bucket)));
}
