/**
 * Typed failures a backend reports. They are mapped to S3 error codes in one
 * place (`errors/to-s3-error.ts`), so backends never speak S3 error codes.
 */

export class BackendError extends Error {
  override name = 'BackendError';
}

export class ObjectNotFoundError extends BackendError {
  override name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

/** If-Match / If-Unmodified-Since failed. */
export class PreconditionFailedError extends BackendError {
  override name = 'PreconditionFailedError';
  constructor(readonly condition: string) {
    super(`precondition failed: ${condition}`);
  }
}

/**
 * A conditional write met another write to the same key in progress and
 * could not be ordered after it: S3's 409 ConditionalRequestConflict, which
 * clients retry. Nothing was written.
 */
export class ConditionalWriteConflictError extends BackendError {
  override name = 'ConditionalWriteConflictError';
  constructor(readonly key: string) {
    super(`a concurrent write to the key is in progress: ${key}`);
  }
}

/** If-None-Match / If-Modified-Since matched: the client's copy is current. */
export class NotModifiedError extends BackendError {
  override name = 'NotModifiedError';
  constructor(readonly etag: string, readonly lastModified: Date) {
    super('not modified');
  }
}

export class RangeNotSatisfiableError extends BackendError {
  override name = 'RangeNotSatisfiableError';
  constructor(readonly size: number) {
    super(`range not satisfiable for object of ${size} bytes`);
  }
}

/** The key cannot be stored by this backend (e.g. a file system name limit). */
export class UnsupportedKeyError extends BackendError {
  override name = 'UnsupportedKeyError';
  constructor(readonly key: string, readonly reason: string) {
    super(`key not supported by this backend: ${reason}`);
  }
}

/**
 * The key cannot coexist with an existing object in a hierarchical store:
 * `a` is an object and `a/b` is written (or the reverse), which a file system
 * cannot hold as both a file and a folder. Neither object is changed.
 */
export class KeyConflictError extends UnsupportedKeyError {
  override name = 'KeyConflictError';
}

/**
 * Object metadata the backend cannot store faithfully (e.g. a user metadata
 * name its store has no reversible form for). Nothing is stored.
 */
export class UnsupportedMetadataError extends BackendError {
  override name = 'UnsupportedMetadataError';
  constructor(readonly argumentName: string, readonly argumentValue: string, reason: string) {
    super(reason);
  }
}

/** The connection is read-only or the backend cannot write. */
export class WriteNotAllowedError extends BackendError {
  override name = 'WriteNotAllowedError';
}

/**
 * The key's location lies outside the part of the store this backend may
 * touch: on a file system, a link in the key's path leads out of the root (or
 * out of the bucket's folder). Reads of such keys report them missing; a
 * write is refused with this, and nothing is created beyond the link.
 */
export class KeyOutsideScopeError extends BackendError {
  override name = 'KeyOutsideScopeError';
  constructor(readonly key: string) {
    super('the key leads out of the backend\'s scope through a link');
  }
}

/** One object is larger than the backend accepts. Nothing is stored. */
export class ObjectTooLargeError extends BackendError {
  override name = 'ObjectTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`object larger than the backend's limit of ${maxBytes} bytes`);
  }
}

/** Storing the object would take the backend past its total capacity. Nothing is stored. */
export class StorageFullError extends BackendError {
  override name = 'StorageFullError';
  constructor(readonly capacityBytes: number) {
    super(`the backend's capacity of ${capacityBytes} bytes would be exceeded`);
  }
}

/**
 * The backend could not be reached or failed; the detail (`cause`) goes to
 * the request's log line, never to the client. `retryAfterSeconds` is set when
 * the backend knows when to try again (a circuit breaker's cool-down).
 */
export class BackendUnavailableError extends BackendError {
  override name = 'BackendUnavailableError';
  constructor(message: string, override readonly cause?: unknown, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** The multipart upload does not exist (never created, completed, aborted, or swept) or belongs to another key. */
export class NoSuchUploadError extends BackendError {
  override name = 'NoSuchUploadError';
  constructor(readonly uploadId: string) {
    super('no such multipart upload');
  }
}

/** A part named on completion was never uploaded, or its entity tag differs from the stored part's. */
export class InvalidPartError extends BackendError {
  override name = 'InvalidPartError';
  constructor(readonly partNumber: number, readonly etag: string) {
    super(`part ${partNumber} not found or its entity tag does not match`);
  }
}

/** A part other than the last is smaller than the store's minimum part size. Nothing is assembled. */
export class EntityTooSmallError extends BackendError {
  override name = 'EntityTooSmallError';
  constructor(readonly partNumber: number, readonly size: number, readonly minSize: number) {
    super(`part ${partNumber} of ${size} bytes is below the minimum part size`);
  }
}

/**
 * The backend's identity service refused the identity Sluice presented for
 * this connection (federation: `AccessDenied`, `InvalidIdentityToken`). The
 * client is refused too; the detail stays in logs.
 */
export class BackendCredentialsDeniedError extends BackendError {
  override name = 'BackendCredentialsDeniedError';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}

/** Obtaining the connection's credentials failed for another reason than reachability (a refusal, an unreadable answer). */
export class BackendAuthenticationError extends BackendError {
  override name = 'BackendAuthenticationError';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}
