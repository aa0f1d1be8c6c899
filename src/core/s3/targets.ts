/**
 * What each S3 operation touches: its targets, as the client named them.
 *
 * The authorize stage resolves and checks every target here before dispatch
 * (see `core/authorize.ts`); an operation that touches data without a target
 * listed here cannot reach a backend. The switch is exhaustive, so a new
 * operation does not compile until its targets are declared.
 */
import type { OperationOf, S3Operation } from './operation.ts';

/** The bucket must be visible to the caller (it answers as existing). */
export interface BucketTarget {
  kind: 'bucket';
  bucket: string;
}

/** A listing of the bucket under `prefix`. */
export interface ListTarget {
  kind: 'list';
  bucket: string;
  prefix: string;
}

/** One object, read or written. */
export interface ObjectTarget {
  kind: 'object';
  bucket: string;
  key: string;
  action: 'read' | 'write';
}

/** Keys of one bucket known only once the request body is read (DeleteObjects): each is authorized on its own. */
export interface KeysTarget {
  kind: 'keys';
  bucket: string;
  action: 'write';
}

/**
 * The multipart uploads in progress in a bucket under `prefix` (ListMultipartUploads): S3's
 * s3:ListBucketMultipartUploads, granted here to callers who may both list and write there.
 */
export interface UploadsTarget {
  kind: 'uploads';
  bucket: string;
  prefix: string;
}

/** A bucket to be created under this name, by the caller's account. */
export interface NewBucketTarget {
  kind: 'new-bucket';
  bucket: string;
}

/** A bucket to be deleted: one created at run time, owned by the caller's account. */
export interface BucketRemovalTarget {
  kind: 'bucket-removal';
  bucket: string;
}

export type Target = BucketTarget | ListTarget | ObjectTarget | KeysTarget | UploadsTarget | NewBucketTarget | BucketRemovalTarget;

/** An operation with the targets it touches, under names its handler reads. */
export type PlannedOperation =
  | { name: 'ListBuckets'; op: OperationOf<'ListBuckets'> }
  | { name: 'HeadBucket' | 'GetBucketLocation'; op: OperationOf<'HeadBucket' | 'GetBucketLocation'>; bucket: BucketTarget }
  | { name: 'ListObjects' | 'ListObjectsV2'; op: OperationOf<'ListObjects' | 'ListObjectsV2'>; listing: ListTarget }
  | { name: 'GetObject' | 'HeadObject'; op: OperationOf<'GetObject' | 'HeadObject'>; object: ObjectTarget }
  | { name: 'PutObject'; op: OperationOf<'PutObject'>; object: ObjectTarget }
  | { name: 'DeleteObject'; op: OperationOf<'DeleteObject'>; object: ObjectTarget }
  | { name: 'CopyObject'; op: OperationOf<'CopyObject'>; source: ObjectTarget; destination: ObjectTarget }
  | { name: 'DeleteObjects'; op: OperationOf<'DeleteObjects'>; keys: KeysTarget }
  | { name: 'CreateMultipartUpload'; op: OperationOf<'CreateMultipartUpload'>; object: ObjectTarget }
  | { name: 'UploadPart'; op: OperationOf<'UploadPart'>; object: ObjectTarget }
  | { name: 'CompleteMultipartUpload'; op: OperationOf<'CompleteMultipartUpload'>; object: ObjectTarget }
  | { name: 'AbortMultipartUpload'; op: OperationOf<'AbortMultipartUpload'>; object: ObjectTarget }
  | { name: 'ListParts'; op: OperationOf<'ListParts'>; object: ObjectTarget }
  | { name: 'UploadPartCopy'; op: OperationOf<'UploadPartCopy'>; source: ObjectTarget; destination: ObjectTarget }
  | { name: 'ListMultipartUploads'; op: OperationOf<'ListMultipartUploads'>; uploads: UploadsTarget }
  | { name: 'CreateBucket'; op: OperationOf<'CreateBucket'>; creation: NewBucketTarget }
  | { name: 'DeleteBucket'; op: OperationOf<'DeleteBucket'>; removal: BucketRemovalTarget }
  | { name: 'Unsupported'; op: OperationOf<'Unsupported'> };

const read = (bucket: string, key: string): ObjectTarget => ({ kind: 'object', bucket, key, action: 'read' });
const write = (bucket: string, key: string): ObjectTarget => ({ kind: 'object', bucket, key, action: 'write' });

export function planOperation(op: S3Operation): PlannedOperation {
  switch (op.name) {
    case 'ListBuckets':
      // Shows only buckets the caller may see (filtered by its handler); touches no backend.
      return { name: op.name, op };
    case 'Unsupported':
      return { name: op.name, op };
    case 'HeadBucket':
    case 'GetBucketLocation':
      return { name: op.name, op, bucket: { kind: 'bucket', bucket: op.bucket } };
    case 'ListObjects':
    case 'ListObjectsV2':
      return { name: op.name, op, listing: { kind: 'list', bucket: op.bucket, prefix: op.list.prefix } };
    case 'GetObject':
    case 'HeadObject':
      return { name: op.name, op, object: read(op.bucket, op.key) };
    case 'PutObject':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'DeleteObject':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'CopyObject':
      return { name: op.name, op, source: read(op.source.bucket, op.source.key), destination: write(op.bucket, op.key) };
    case 'DeleteObjects':
      return { name: op.name, op, keys: { kind: 'keys', bucket: op.bucket, action: 'write' } };
    // Every step of an upload writes the object it builds; listing its parts too (the upload id is bound to the key).
    case 'CreateMultipartUpload':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'UploadPart':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'CompleteMultipartUpload':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'AbortMultipartUpload':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'ListParts':
      return { name: op.name, op, object: write(op.bucket, op.key) };
    case 'UploadPartCopy':
      return { name: op.name, op, source: read(op.source.bucket, op.source.key), destination: write(op.bucket, op.key) };
    case 'ListMultipartUploads':
      return { name: op.name, op, uploads: { kind: 'uploads', bucket: op.bucket, prefix: op.uploads.prefix } };
    case 'CreateBucket':
      return { name: op.name, op, creation: { kind: 'new-bucket', bucket: op.bucket } };
    case 'DeleteBucket':
      return { name: op.name, op, removal: { kind: 'bucket-removal', bucket: op.bucket } };
    default:
      return unplanned(op);
  }
}

function unplanned(op: never): never {
  throw new TypeError(`operation without targets: ${(op as S3Operation).name}`);
}
