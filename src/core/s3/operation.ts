/**
 * The typed S3 operations the parse stage produces. Everything downstream
 * (authorization, dispatch, logging) works on these, never on raw requests.
 */
import type { MultipartChecksum } from '../multipart/checksum.ts';
import type { ObjectMetadata, RangeRequest, ReadConditions } from '../backend.ts';
import type { WriteConditions } from '../backend-capabilities.ts';

export type AddressingStyle = 'path' | 'virtual-host';

/** `response-*` query overrides for GetObject, by the header they replace. */
export type ResponseOverrides = Partial<Record<
  'content-type' | 'content-language' | 'expires' | 'cache-control' | 'content-disposition' | 'content-encoding',
  string
>>;

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  encodingType?: 'url';
  /** V2 only. */
  continuationToken?: string;
  /** V2 `start-after` or V1 `marker`. */
  startAfter?: string;
  fetchOwner: boolean;
}

/** The bucket a request names, as the client named it. */
export interface BucketRef {
  /** The first path segment (path style) or the host's bucket label (virtual-host style); the account in path-mapped mode. */
  bucket: string;
  style: AddressingStyle;
}

/** An object a request names, as the client named it. */
export interface ObjectRef extends BucketRef {
  key: string;
}

/** The object a CopyObject (or UploadPartCopy) reads from, from `x-amz-copy-source`. */
export interface CopySource {
  bucket: string;
  key: string;
}

/** ListMultipartUploads' query. */
export interface UploadsQuery {
  prefix: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
  encodingType?: 'url';
}

interface ListOperation extends BucketRef {
  list: ListQuery;
}

interface ReadOperation extends ObjectRef {
  range?: RangeRequest;
  /** `?partNumber=N`: the N-th part of a multipart object (the whole object is part 1 of one otherwise). */
  partNumber?: number;
  /** `x-amz-checksum-mode: ENABLED`: report the object's additional checksum. */
  checksumMode?: boolean;
  conditions: ReadConditions;
  overrides: ResponseOverrides;
}

/** One variant per operation name, so `OperationOf<'HeadObject'>` is exactly that operation. */
export type S3Operation =
  | { name: 'ListBuckets' }
  | ({ name: 'HeadBucket' } & BucketRef)
  | ({ name: 'GetBucketLocation' } & BucketRef)
  | ({ name: 'ListObjectsV2' } & ListOperation)
  | ({ name: 'ListObjects' } & ListOperation)
  | ({ name: 'GetObject' } & ReadOperation)
  | ({ name: 'HeadObject' } & ReadOperation)
  | ({
      name: 'PutObject';
      metadata: ObjectMetadata;
      contentLength?: number;
      contentMd5?: string;
      /** `If-None-Match: *` / `If-Match`: the write happens only if they hold at its commit. */
      writeConditions?: WriteConditions;
    } & ObjectRef)
  | ({ name: 'DeleteObject' } & ObjectRef)
  /** Reads `source`, writes the named object. */
  | ({
      name: 'CopyObject';
      source: CopySource;
      /** COPY keeps the source's metadata; REPLACE stores `metadata` from the request. */
      metadataDirective: 'COPY' | 'REPLACE';
      metadata: ObjectMetadata;
      sourceConditions: ReadConditions;
      /** `If-None-Match: *` / `If-Match` on the destination. */
      writeConditions?: WriteConditions;
    } & ObjectRef)
  /** Deletes the keys listed in the request body, each authorized on its own. */
  | ({ name: 'DeleteObjects' } & BucketRef)
  /** Multipart uploads: each names the object it builds; `uploadId` is the client's (sealed) id. */
  /** `checksum`: the upload's additional checksum algorithm and type (`x-amz-checksum-algorithm` / `-type`). */
  | ({ name: 'CreateMultipartUpload'; metadata: ObjectMetadata; checksum?: MultipartChecksum } & ObjectRef)
  | ({ name: 'UploadPart'; uploadId: string; partNumber: number; contentLength?: number; contentMd5?: string } & ObjectRef)
  /** Reads `source` (optionally only `sourceRange`), writes a part of the named object's upload. */
  | ({
      name: 'UploadPartCopy';
      uploadId: string;
      partNumber: number;
      source: CopySource;
      sourceRange?: { first: number; last: number };
      sourceConditions: ReadConditions;
    } & ObjectRef)
  /** The parts list comes in the request body. */
  | ({ name: 'CompleteMultipartUpload'; uploadId: string; writeConditions?: WriteConditions } & ObjectRef)
  | ({ name: 'AbortMultipartUpload'; uploadId: string } & ObjectRef)
  | ({ name: 'ListParts'; uploadId: string; maxParts: number; partNumberMarker?: number } & ObjectRef)
  | ({ name: 'ListMultipartUploads'; uploads: UploadsQuery } & BucketRef)
  /** Creates the named bucket; the `CreateBucketConfiguration` document (if any) comes in the request body. */
  | ({ name: 'CreateBucket' } & BucketRef)
  /** Deletes the named bucket, which must be empty. */
  | ({ name: 'DeleteBucket' } & BucketRef)
  /** Recognised but not (yet) offered: answered with 501 NotImplemented once the caller is authenticated. */
  | { name: 'Unsupported'; operation: string; bucket?: string; key?: string };

export type OperationName = S3Operation['name'];
export type OperationOf<N extends OperationName> = Extract<S3Operation, { name: N }>;
