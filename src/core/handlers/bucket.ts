/**
 * ListBuckets, HeadBucket and GetBucketLocation. In path-mapped mode the
 * "buckets" clients see are accounts with at least one visible product.
 */
import type { AuthorizedBucket } from '../authorize.ts';
import type { BucketConfig } from '../config.ts';
import type { GatewayResponse } from '../http.ts';
import { listBucketsXml, locationXml } from '../s3/list-response.ts';
import { type RequestContext, ownerOf, xmlResponse } from './context.ts';

async function readable(ctx: RequestContext, buckets: BucketConfig[]): Promise<BucketConfig[]> {
  const visible = await Promise.all(buckets.map((bucket) => ctx.policy.canSee(ctx.identity, bucket)));
  return buckets.filter((_, i) => visible[i]);
}

export async function listBuckets(ctx: RequestContext): Promise<GatewayResponse> {
  const all = await readable(ctx, await ctx.resolver.store.listBuckets());
  const names = ctx.resolver.mode === 'path'
    ? all.map((bucket) => bucket.name)
    : [...new Set(all.flatMap((bucket) => (bucket.account === undefined ? [] : [bucket.account])))];
  names.sort();
  return xmlResponse(listBucketsXml(ownerOf(undefined), names.map((name) => ({ name, created: ctx.startedAt }))));
}

function regionOf(ctx: RequestContext, bucket: BucketConfig): string {
  return bucket.region ?? ctx.config.server.region;
}

export async function headBucket(ctx: RequestContext, { bucket }: AuthorizedBucket): Promise<GatewayResponse> {
  return { status: 200, headers: { 'x-amz-bucket-region': regionOf(ctx, bucket) } };
}

export async function getBucketLocation(ctx: RequestContext, { bucket }: AuthorizedBucket): Promise<GatewayResponse> {
  return xmlResponse(locationXml(regionOf(ctx, bucket)));
}
