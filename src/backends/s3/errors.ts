/**
 * S3 answers → the backend's typed errors. Anything the gateway has no
 * specific error for becomes an opaque `BackendError`; the S3 detail stays in
 * `cause` for logs.
 */
import {
  BackendError,
  ObjectNotFoundError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  UnsupportedKeyError,
} from '../../core/backend-errors.ts';
import type { ReadConditions } from '../../core/backend.ts';
import { parseContentRange } from './object-headers.ts';
import { S3ResponseError } from './transport.ts';

/** Which precondition a 412 most likely refers to (S3 does not say). */
function failedCondition(conditions: ReadConditions | undefined): string {
  if (conditions?.ifMatch !== undefined) return 'If-Match';
  if (conditions?.ifUnmodifiedSince !== undefined) return 'If-Unmodified-Since';
  if (conditions?.ifNoneMatch !== undefined) return 'If-None-Match';
  return 'If-Modified-Since';
}

/** The object size a 416 answer reports, from `Content-Range: bytes *\/N` or `<ActualObjectSize>`. */
export function sizeFromRangeError(err: S3ResponseError): number | undefined {
  return parseContentRange(err.headers['content-range']).size ?? err.detail.actualObjectSize;
}

function opaque(err: S3ResponseError): BackendError {
  return new BackendError('storage backend refused the request', {
    cause: { operation: err.operation, status: err.status, ...err.detail },
  });
}

/**
 * Map a failed object request. Errors that are already typed (unavailability,
 * the caller's abort reason) pass through unchanged.
 */
export function mapObjectError(err: unknown, key: string, conditions?: ReadConditions): unknown {
  if (!(err instanceof S3ResponseError)) return err;
  switch (err.status) {
    case 404:
      // A missing bucket is a configuration problem, not a missing object.
      return err.code === 'NoSuchBucket' ? opaque(err) : new ObjectNotFoundError(key);
    case 412:
      return new PreconditionFailedError(failedCondition(conditions));
    case 416: {
      const size = sizeFromRangeError(err);
      return size === undefined ? opaque(err) : new RangeNotSatisfiableError(size);
    }
    case 400:
      if (err.code === 'KeyTooLongError') return new UnsupportedKeyError(key, 'key too long for the storage backend');
      return opaque(err);
    default:
      return opaque(err);
  }
}

/** Map a failed bucket-level request (listing). */
export function mapBucketError(err: unknown): unknown {
  return err instanceof S3ResponseError ? opaque(err) : err;
}
