/**
 * The dispatch stage: one handler per supported S3 operation.
 */
import type { GatewayResponse } from '../http.ts';
import { notImplemented } from '../errors/s3-error.ts';
import type { S3Operation } from '../s3/operation.ts';
import { getBucketLocation, headBucket, listBuckets } from './bucket.ts';
import type { RequestContext } from './context.ts';
import { listObjects } from './list.ts';
import { deleteObject, getOrHeadObject, putObject } from './object.ts';

export function dispatch(ctx: RequestContext, op: S3Operation): Promise<GatewayResponse> {
  switch (op.name) {
    case 'ListBuckets':
      return listBuckets(ctx);
    case 'HeadBucket':
      return headBucket(ctx, op);
    case 'GetBucketLocation':
      return getBucketLocation(ctx, op);
    case 'ListObjects':
    case 'ListObjectsV2':
      return listObjects(ctx, op);
    case 'GetObject':
    case 'HeadObject':
      return getOrHeadObject(ctx, op);
    case 'PutObject':
      return putObject(ctx, op);
    case 'DeleteObject':
      return deleteObject(ctx, op);
    case 'Unsupported':
      throw notImplemented(op.operation);
  }
}
