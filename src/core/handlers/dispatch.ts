/**
 * The dispatch stage: one handler per supported S3 operation. Handlers get
 * the targets the authorize stage checked, never raw bucket names.
 */
import type { AuthorizedOperation } from '../authorize.ts';
import { notImplemented } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import { getBucketLocation, headBucket, listBuckets } from './bucket.ts';
import { createBucket, deleteBucket } from './bucket-lifecycle.ts';
import type { RequestContext } from './context.ts';
import { copyObject } from './copy-object.ts';
import { deleteObjects } from './delete-objects.ts';
import { listObjects } from './list.ts';
import { listMultipartUploads } from './list-uploads.ts';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listParts, uploadPart, uploadPartCopy } from './multipart.ts';
import { deleteObject, getOrHeadObject, putObject } from './object.ts';

export function dispatch(ctx: RequestContext, authorized: AuthorizedOperation): Promise<GatewayResponse> {
  switch (authorized.name) {
    case 'ListBuckets':
      return listBuckets(ctx);
    case 'HeadBucket':
      return headBucket(ctx, authorized.bucket);
    case 'GetBucketLocation':
      return getBucketLocation(ctx, authorized.bucket);
    case 'ListObjects':
    case 'ListObjectsV2':
      return listObjects(ctx, authorized.op, authorized.listing);
    case 'GetObject':
    case 'HeadObject':
      return getOrHeadObject(ctx, authorized.op, authorized.object);
    case 'PutObject':
      return putObject(ctx, authorized.op, authorized.object);
    case 'DeleteObject':
      return deleteObject(ctx, authorized.object);
    case 'DeleteObjects':
      return deleteObjects(ctx, authorized.keys);
    case 'CopyObject':
      return copyObject(ctx, authorized.op, authorized.source, authorized.destination);
    case 'CreateMultipartUpload':
      return createMultipartUpload(ctx, authorized.op, authorized.object);
    case 'UploadPart':
      return uploadPart(ctx, authorized.op, authorized.object);
    case 'UploadPartCopy':
      return uploadPartCopy(ctx, authorized.op, authorized.source, authorized.destination);
    case 'CompleteMultipartUpload':
      return completeMultipartUpload(ctx, authorized.op, authorized.object);
    case 'AbortMultipartUpload':
      return abortMultipartUpload(ctx, authorized.op, authorized.object);
    case 'ListParts':
      return listParts(ctx, authorized.op, authorized.object);
    case 'ListMultipartUploads':
      return listMultipartUploads(ctx, authorized.op, authorized.uploads);
    case 'CreateBucket':
      return createBucket(ctx, authorized.creation);
    case 'DeleteBucket':
      return deleteBucket(ctx, authorized.removal);
    case 'Unsupported':
      throw notImplemented(authorized.op.operation);
  }
}
