/**
 * The one place where failures become S3 errors: backend failures, and
 * domain errors that carry an S3 error code.
 */
import {
  BackendUnavailableError,
  KeyConflictError,
  NotModifiedError,
  ObjectNotFoundError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  UnsupportedKeyError,
  WriteNotAllowedError,
} from '../backend-errors.ts';
import { S3Error, invalidArgument, isS3ErrorCode, noSuchKey } from './s3-error.ts';

/** Map a backend failure to the S3 error a client sees; unknown failures return undefined (→ opaque 500). */
export function toS3Error(error: unknown): S3Error | undefined {
  if (error instanceof S3Error) return error;
  if (isS3CodedError(error)) return new S3Error(error.code, error.message, error.details ?? {});
  if (error instanceof ObjectNotFoundError) return noSuchKey(error.key);
  if (error instanceof PreconditionFailedError) {
    return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: error.condition,
    });
  }
  if (error instanceof NotModifiedError) {
    return new S3Error('NotModified', 'Not Modified', {}, {
      etag: error.etag,
      'last-modified': error.lastModified.toUTCString(),
    });
  }
  if (error instanceof RangeNotSatisfiableError) {
    return new S3Error('InvalidRange', 'The requested range is not satisfiable', {
      ActualObjectSize: String(error.size),
    }, { 'content-range': `bytes */${error.size}` });
  }
  if (error instanceof KeyConflictError) {
    return invalidArgument('The key conflicts with an existing object or folder on this backend (it cannot hold both "a" and "a/b").', 'key', error.key);
  }
  if (error instanceof UnsupportedKeyError) return new S3Error('KeyTooLongError', 'Your key is too long');
  if (error instanceof WriteNotAllowedError) return new S3Error('AccessDenied', 'Access Denied');
  if (error instanceof BackendUnavailableError) {
    const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return new S3Error('ServiceUnavailable', 'Please reduce your request rate.', {}, headers);
  }
  return undefined;
}

/**
 * Domain errors from outside the core (e.g. SigV4 failures, which may surface
 * mid-stream from a body check) that already carry an S3 error code.
 */
function isS3CodedError(error: unknown): error is Error & { code: S3Error['code']; details?: Record<string, string> } {
  return error instanceof Error && isS3ErrorCode((error as { code?: unknown }).code);
}
