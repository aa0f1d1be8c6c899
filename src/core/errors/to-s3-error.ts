/**
 * The one place where failures become S3 errors. Only an `S3Error` (or a
 * subclass, such as the SigV4 failures) is meant for the client; typed
 * backend failures are translated here. Any other error — even one with a
 * `code` that looks like S3's, such as a backend store's own answer — stays
 * opaque.
 */
import {
  BackendAuthenticationError,
  BackendCredentialsDeniedError,
  BackendUnavailableError,
  EntityTooSmallError,
  InvalidPartError,
  ConditionalWriteConflictError,
  KeyConflictError,
  KeyOutsideScopeError,
  NoSuchUploadError,
  NotModifiedError,
  ObjectNotFoundError,
  ObjectTooLargeError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StorageFullError,
  UnsupportedKeyError,
  UnsupportedMetadataError,
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
  if (error instanceof ConditionalWriteConflictError) {
    return new S3Error('ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource. Please try again.');
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
  if (error instanceof KeyOutsideScopeError) {
    // The key is valid and the caller may write the bucket; the store itself forbids that location (like a
    // bucket policy would). 403 says so without revealing what lies beyond the link, as reads answer 404.
    return new S3Error('AccessDenied', 'Access Denied');
  }
  if (error instanceof UnsupportedMetadataError) return invalidArgument(error.message, error.argumentName, error.argumentValue);
  if (error instanceof UnsupportedKeyError) return new S3Error('KeyTooLongError', 'Your key is too long');
  if (error instanceof WriteNotAllowedError) return new S3Error('AccessDenied', 'Access Denied');
  if (error instanceof ObjectTooLargeError) {
    return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', {
      MaxSizeAllowed: String(error.maxBytes),
    });
  }
  if (error instanceof StorageFullError) {
    // S3 has no "store full" code. 503 is the S3 answer for "cannot take this now": clients know it and
    // back off, and the put may succeed once objects are deleted. The capacity stays in the log.
    return new S3Error('ServiceUnavailable', 'The store cannot hold more data at the moment.');
  }
  if (error instanceof NoSuchUploadError) {
    return new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: error.uploadId });
  }
  if (error instanceof InvalidPartError) {
    return new S3Error('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", {
      PartNumber: String(error.partNumber),
      ETag: error.etag,
    });
  }
  if (error instanceof EntityTooSmallError) {
    return new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
      ProposedSize: String(error.size),
      MinSizeAllowed: String(error.minSize),
      PartNumber: String(error.partNumber),
    });
  }
  // The cloud refused Sluice's own identity for the connection: the caller gets no further, and learns no more.
  if (error instanceof BackendCredentialsDeniedError) return new S3Error('AccessDenied', 'Access Denied');
  if (error instanceof BackendAuthenticationError) {
    return new S3Error('BackendAuthenticationFailed', 'The storage backend did not accept the server\'s credentials.');
  }
  if (error instanceof BackendUnavailableError) {
    const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return new S3Error('ServiceUnavailable', 'Please reduce your request rate.', {}, headers);
  }
  return undefined;
}
