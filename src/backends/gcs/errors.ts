/**
 * JSON API answers → the backend's typed errors. What the gateway has no
 * specific error for becomes an opaque `BackendError`; Google's reason and
 * message stay in `cause` for logs.
 */
import { BackendError, ObjectNotFoundError, PreconditionFailedError, UnsupportedKeyError } from '../../core/backend-errors.ts';
import { GcsResponseError } from './transport.ts';

export function opaque(err: GcsResponseError): BackendError {
  return new BackendError('storage backend refused the request', {
    cause: { operation: err.operation, status: err.status, reason: err.reason, message: err.detail },
  });
}

/** Map a failed object request; already typed errors (unavailability, the caller's abort) pass through. */
export function mapObjectError(err: unknown, key: string, condition = 'If-Match'): unknown {
  if (!(err instanceof GcsResponseError)) return err;
  switch (err.status) {
    case 404:
      // A missing bucket is a configuration problem, not a missing object.
      return /bucket/i.test(err.detail ?? '') && !/object/i.test(err.detail ?? '') ? opaque(err) : new ObjectNotFoundError(key);
    case 412:
      return new PreconditionFailedError(condition);
    case 400:
      return err.reason === 'invalid' && /name/i.test(err.detail ?? '')
        ? new UnsupportedKeyError(key, 'the storage backend does not accept this object name')
        : opaque(err);
    default:
      return opaque(err);
  }
}

/** Map a failed bucket-level request (listing). */
export function mapBucketError(err: unknown): unknown {
  return err instanceof GcsResponseError ? opaque(err) : err;
}
