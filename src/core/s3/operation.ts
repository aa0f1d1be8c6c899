/**
 * The typed S3 operations the parse stage produces. Everything downstream
 * (authorization, dispatch, logging) works on these, never on raw requests.
 */
import type { ObjectMetadata, RangeRequest, ReadConditions } from '../backend.ts';

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

interface BucketTarget {
  /** The first path segment (path style) or the host's bucket label (virtual-host style). */
  bucket: string;
  style: AddressingStyle;
}

interface ObjectTarget extends BucketTarget {
  key: string;
}

export type S3Operation =
  | { name: 'ListBuckets' }
  | ({ name: 'HeadBucket' } & BucketTarget)
  | ({ name: 'GetBucketLocation' } & BucketTarget)
  | ({ name: 'ListObjectsV2' | 'ListObjects'; list: ListQuery } & BucketTarget)
  | ({
      name: 'GetObject' | 'HeadObject';
      range?: RangeRequest;
      conditions: ReadConditions;
      overrides: ResponseOverrides;
    } & ObjectTarget)
  | ({ name: 'PutObject'; metadata: ObjectMetadata; contentLength?: number; contentMd5?: string } & ObjectTarget)
  | ({ name: 'DeleteObject' } & ObjectTarget)
  /** Recognised but not (yet) offered: answered with 501 NotImplemented. */
  | { name: 'Unsupported'; operation: string; bucket?: string; key?: string };

