/**
 * ListObjectsV2 and ListObjects (V1) on a bucket, or — in path-mapped mode —
 * on an account, whose products appear as top-level folders.
 */
import type { AuthorizedBucketListing, AuthorizedListing } from '../authorize.ts';
import type { ListResult } from '../backend.ts';
import type { GatewayResponse } from '../http.ts';
import { listObjectsV1Xml, listObjectsV2Xml } from '../s3/list-response.ts';
import type { ListBinding } from '../s3/list-token.ts';
import type { ListQuery, OperationOf } from '../s3/operation.ts';
import { accountLister } from './account-list.ts';
import { type RequestContext, ownerOf, xmlResponse } from './context.ts';

type ListOp = OperationOf<'ListObjectsV2' | 'ListObjects'>;

/** A page of a listing: entries plus the position to resume from when truncated. */
export interface ListPage {
  result: ListResult;
  /** Owning account for the Owner element. */
  account?: string;
}

export interface Lister {
  list(query: ListQuery, position: string | undefined): Promise<ListPage>;
}

export async function listObjects(ctx: RequestContext, op: ListOp, listing: AuthorizedListing): Promise<GatewayResponse> {
  const lister = listing.kind === 'bucket' ? bucketLister(ctx, listing) : accountLister(ctx, listing);
  const query = op.list;
  const binding: ListBinding = { bucket: op.bucket, prefix: query.prefix, delimiter: query.delimiter };
  const isV2 = op.name === 'ListObjectsV2';
  const position = isV2 && query.continuationToken !== undefined ? await ctx.tokens.open(query.continuationToken, binding) : undefined;
  const { result, account } = await lister.list(query, position);
  const owner = ownerOf(account);
  if (!isV2) return xmlResponse(listObjectsV1Xml({ bucket: op.bucket, query, result, owner }));
  const next = result.isTruncated && result.nextContinuationToken !== undefined
    ? await ctx.tokens.seal(result.nextContinuationToken, binding)
    : undefined;
  return xmlResponse(listObjectsV2Xml({ bucket: op.bucket, query, result, nextContinuationToken: next, owner }));
}

function bucketLister(ctx: RequestContext, { bucket, backend }: AuthorizedBucketListing): Lister {
  return {
    async list(query, position) {
      const result = await backend.list({
        prefix: query.prefix,
        delimiter: query.delimiter,
        startAfter: query.startAfter,
        continuationToken: position,
        maxKeys: query.maxKeys,
        signal: ctx.req.signal,
      });
      return { result, account: bucket.account };
    },
  };
}
