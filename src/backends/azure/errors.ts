/**
 * Blob service answers → the backend's typed errors. What the gateway has no
 * specific error for becomes an opaque `BackendError`; Azure's code and
 * message stay in `cause` for logs.
 */
import { BackendCredentialsDeniedError, BackendError, ObjectNotFoundError, PreconditionFailedError, UnsupportedKeyError } from '../../core/backend-errors.ts';
import { AzureResponseError } from './transport.ts';

export function opaque(err: AzureResponseError): BackendError {
  return new BackendError('storage backend refused the request', {
    cause: { operation: err.operation, status: err.status, ...err.detail },
  });
}

/** The service refused the connection's credentials (a bad key or SAS, an expired or foreign token): 403 to the client. */
function denied(err: AzureResponseError): BackendCredentialsDeniedError {
  return new BackendCredentialsDeniedError('storage backend refused the credentials', { operation: err.operation, status: err.status, ...err.detail });
}

/** Map a failed blob request; already typed errors (unavailability, the caller's abort) pass through. */
export function mapBlobError(err: unknown, key: string, condition = 'If-Match'): unknown {
  if (!(err instanceof AzureResponseError)) return err;
  switch (err.status) {
    case 401:
      return denied(err);
    case 403:
      return err.code === 'AuthenticationFailed' || err.code === 'InvalidAuthenticationInfo' ? denied(err) : opaque(err);
    case 404:
      // A missing container is a configuration problem, not a missing object.
      return err.code === 'ContainerNotFound' ? opaque(err) : new ObjectNotFoundError(key);
    case 412:
      return new PreconditionFailedError(condition);
    case 400:
      if (err.code === 'InvalidUri' || err.code === 'InvalidResourceName' || err.code === 'OutOfRangeInput') {
        return new UnsupportedKeyError(key, 'the storage backend does not accept this blob name');
      }
      return opaque(err);
    default:
      return opaque(err);
  }
}

/** Map a failed container-level request (listing). */
export function mapContainerError(err: unknown): unknown {
  if (!(err instanceof AzureResponseError)) return err;
  return err.status === 401 || (err.status === 403 && (err.code === 'AuthenticationFailed' || err.code === 'InvalidAuthenticationInfo')) ? denied(err) : opaque(err);
}
