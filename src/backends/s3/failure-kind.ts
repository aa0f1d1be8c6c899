/**
 * What went wrong with one try of a backend request, in words a log reader
 * (and the circuit breaker) can act on: the store refused the connection,
 * reset it, timed out, failed TLS, or answered with an error of its own.
 */
import { HttpTimeoutError } from '../../core/http-errors.ts';

export type FailureKind = 'refused' | 'unreachable' | 'reset' | 'timeout' | 'tls' | 'dns' | 'framing' | 'other';

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

export function failureKind(err: unknown): FailureKind {
  if (err instanceof HttpTimeoutError) return 'timeout';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ERR_HTTP_CONTENT_LENGTH_MISMATCH':
      return 'framing';
    default:
      return TLS_CODE.test(code) ? 'tls' : 'other';
  }
}

/**
 * Failures that say the store cannot be reached or does not answer — what
 * the circuit breaker counts. An idle upload may be the client's doing, and
 * a reset or a framing fault ends one exchange; neither says the store is down.
 */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof HttpTimeoutError) return err.phase !== 'idle';
  const kind = failureKind(err);
  return kind === 'refused' || kind === 'unreachable' || kind === 'timeout' || kind === 'dns' || kind === 'tls';
}
