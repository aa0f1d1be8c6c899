/**
 * Optional capabilities a backend may offer beyond the `Backend` interface:
 * multipart uploads, copying within its own connection, and writes guarded
 * by If-Match / If-None-Match. Each is a typed interface with a type guard,
 * so dispatch asks `hasMultipart(backend)` instead of probing for methods,
 * and a backend without the capability gets the generic fallback (or a
 * NotImplemented answer) rather than a half-working call.
 */
import type { Backend, ByteRange, ObjectChecksum, ObjectInfo, ObjectMetadata, PutOptions, PutResult, ReadConditions } from './backend.ts';
import type { Body } from './body.ts';
import type { MultipartChecksum } from './multipart/checksum.ts';

/** A part as the client names it when completing an upload. */
export interface CompletedPart {
  /** 1–10000. */
  partNumber: number;
  /** Quoted, as returned by `uploadPart`. */
  etag: string;
  /** The part's additional checksum (base64), as the client names it when completing, or as stored. */
  checksum?: string;
}

export interface UploadedPart extends CompletedPart {
  size: number;
  lastModified: Date;
}

export interface ListPartsParams {
  /** Only parts with a greater number. */
  partNumberMarker?: number;
  /** 0–1000. */
  maxParts: number;
  signal?: AbortSignal;
}

export interface ListPartsResult {
  parts: UploadedPart[];
  isTruncated: boolean;
  /** Present when truncated: the marker for the next page. */
  nextPartNumberMarker?: number;
}

export interface MultipartUploadSummary {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface ListUploadsParams {
  prefix: string;
  delimiter?: string;
  /** With `uploadIdMarker`, the exclusive start point (S3's KeyMarker / UploadIdMarker). */
  keyMarker?: string;
  uploadIdMarker?: string;
  /** 0–1000; uploads and common prefixes together count against it. */
  maxUploads: number;
  signal?: AbortSignal;
}

export interface ListUploadsResult {
  uploads: MultipartUploadSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/**
 * How CompleteMultipartUpload commits: the upload's checksum (from its sealed
 * id) with the whole object's expected value when the client sent one, and
 * write preconditions checked atomically with the commit.
 */
export interface CompleteOptions {
  signal?: AbortSignal;
  checksum?: MultipartChecksum & { expected?: string };
  conditions?: WriteConditions;
}

/** The multipart operations, grouped so a backend offers all of them or none. */
export interface MultipartOperations {
  create(key: string, metadata: ObjectMetadata, options?: { signal?: AbortSignal }): Promise<{ uploadId: string }>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options?: PutOptions): Promise<{ etag: string }>;
  /**
   * Parts in ascending order; the result's ETag is the multipart ETag (`"…-N"`).
   * `create`'s metadata carries the upload's checksum algorithm and type (value
   * unset), and `uploadPart`'s options the part's verified checksum.
   */
  complete(key: string, uploadId: string, parts: readonly CompletedPart[], options?: CompleteOptions): Promise<PutResult & { checksum?: ObjectChecksum }>;
  abort(key: string, uploadId: string): Promise<void>;
  listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult>;
  listUploads(params: ListUploadsParams): Promise<ListUploadsResult>;
}

export interface MultipartCapable {
  readonly multipart: MultipartOperations;
}

export interface CopyOptions {
  /** Replaces the source's metadata (S3's `x-amz-metadata-directive: REPLACE`); absent keeps it. */
  metadata?: ObjectMetadata;
  /** Preconditions on the source (`x-amz-copy-source-if-*`). */
  conditions?: ReadConditions;
  signal?: AbortSignal;
}

export interface CopyResult {
  etag: string;
  lastModified: Date;
}

/** Copying between two keys of one connection without moving the bytes through the gateway. */
export interface NativeCopy {
  copy(sourceKey: string, destinationKey: string, options?: CopyOptions): Promise<CopyResult>;
}

/** Write preconditions: `ifMatch` an entity tag, `ifNoneMatch` only `*` (create, never overwrite), as S3 accepts. */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

/** A put that succeeds only when the conditions hold at the moment of the write (`PreconditionFailedError` otherwise). */
export interface ConditionalWrites {
  conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options?: PutOptions): Promise<PutResult>;
}

/** One part of an object assembled from parts, as the store describes it. */
export interface PartRead {
  /** The whole object's info (its `size` is the whole object's). */
  info: ObjectInfo;
  /** The part's bytes within the object; absent for an empty object's only part. */
  range?: ByteRange;
  /** How many parts the object has, when the store says. */
  partsCount?: number;
  /** The part's bytes; absent for a HEAD. */
  body?: Body;
}

/**
 * GetObject / HeadObject with `partNumber` answered by the store itself, for
 * a backend that cannot describe its objects' parts (`ObjectInfo.partSizes`)
 * but whose store can serve them (the s3 backend forwards `partNumber`).
 */
export interface PartReads {
  readPart(key: string, partNumber: number, options: { head: boolean; conditions?: ReadConditions; signal?: AbortSignal }): Promise<PartRead>;
}

export function hasPartReads<B extends Backend>(backend: B): backend is B & PartReads {
  return typeof (backend as Partial<PartReads>).readPart === 'function';
}

/**
 * A backend whose buckets are places of their own (folders on `fs`), made
 * when a client creates a bucket and removed when it deletes it. Backends
 * whose prefixes are only key prefixes (object stores) need nothing.
 */
export interface BucketPlaces {
  /** Makes the place for the bucket at `prefix` (relative to the connection, ending in "/"). */
  createBucketPlace(prefix: string): Promise<void>;
  /** Removes the place if it is empty; one still holding anything stays. */
  removeBucketPlace(prefix: string): Promise<void>;
}

export function hasBucketPlaces<B extends Backend>(backend: B): backend is B & BucketPlaces {
  const candidate = backend as Partial<BucketPlaces>;
  return typeof candidate.createBucketPlace === 'function' && typeof candidate.removeBucketPlace === 'function';
}

export function hasMultipart<B extends Backend>(backend: B): backend is B & MultipartCapable {
  const multipart = (backend as Partial<MultipartCapable>).multipart;
  return typeof multipart === 'object' && multipart !== null;
}

export function hasNativeCopy<B extends Backend>(backend: B): backend is B & NativeCopy {
  return typeof (backend as Partial<NativeCopy>).copy === 'function';
}

export function hasConditionalWrites<B extends Backend>(backend: B): backend is B & ConditionalWrites {
  return typeof (backend as Partial<ConditionalWrites>).conditionalPut === 'function';
}

/** The capabilities `B` declares, as a type: what a wrapper over `B` may promise to forward. */
export type CapabilitiesOf<B> = (B extends MultipartCapable ? MultipartCapable : unknown) &
  (B extends NativeCopy ? NativeCopy : unknown) &
  (B extends ConditionalWrites ? ConditionalWrites : unknown) &
  (B extends PartReads ? PartReads : unknown);
