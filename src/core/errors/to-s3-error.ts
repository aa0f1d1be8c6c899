/**
 * The one place where failures become S3 errors. Only an `S3Error` (or a
 * subclass, such as the SigV4 failures) is meant for the client; typed
 * backend failures are translated here. Any other error — even one with a
 * `code` that looks like S3's, such as a backend store's own answer — stays
 * opaque.
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
import { S3Error, invalidArgument, noSuchKey } from './s3-error.ts';

/** Map a backend failure to the S3 error a client sees; unknown failures return undefined (→ opaque 500). */
export function toS3Error(error: unknown): S3Error | undefined {
  if (error instanceof S3Error) return error;
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
    return new S3Error('ServiceUnavailable', 'Please reduce your request rate.');
  }
  return undefined;
}
