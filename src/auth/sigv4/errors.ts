/**
 * Authentication failures, with the S3 error codes, statuses and messages that
 * Amazon S3 itself returns (Amazon S3 API Reference, "Error responses"), so
 * SDKs react to them as they would against S3. `details` become extra elements
 * of the XML error body, in order (e.g. `StringToSign` on a signature mismatch).
 */
import { S3Error, type S3ErrorCode } from '../../core/errors/s3-error.ts';

/** The S3 error codes authentication failures use (a subset of the core's one table). */
export type SigV4ErrorCode = Extract<
  S3ErrorCode,
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'IncompleteBody'
  | 'InvalidAccessKeyId'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'MissingSecurityHeader'
  | 'RequestTimeTooSkewed'
  | 'SignatureDoesNotMatch'
  | 'XAmzContentSHA256Mismatch'
>;

/** An authentication failure: an `S3Error`, so its status comes from the core's table and it may reach the client. */
export class SigV4Error extends S3Error {
  override name = 'SigV4Error';

  constructor(code: SigV4ErrorCode, message: string, details: Record<string, string> = {}) {
    super(code, message, details);
  }
}

/** `2013-05-24T00:00:00Z`, the form S3 uses for `ServerTime` and `Expires`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Space-separated hex bytes, as in S3's `StringToSignBytes`. */
function spacedHex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export function signatureDoesNotMatch(
  accessKeyId: string,
  stringToSign: string,
  signatureProvided: string,
  canonicalRequest?: string,
): SigV4Error {
  const details: Record<string, string> = {
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: signatureProvided,
    StringToSignBytes: spacedHex(stringToSign),
  };
  if (canonicalRequest !== undefined) {
    details.CanonicalRequest = canonicalRequest;
    details.CanonicalRequestBytes = spacedHex(canonicalRequest);
  }
  return new SigV4Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH, details);
}

export function invalidAccessKeyId(accessKeyId: string): SigV4Error {
  return new SigV4Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
    AWSAccessKeyId: accessKeyId,
  });
}

export function headerMalformed(reason: string, details: Record<string, string> = {}): SigV4Error {
  return new SigV4Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${reason}`, details);
}

export function queryParametersError(message: string, details: Record<string, string> = {}): SigV4Error {
  return new SigV4Error('AuthorizationQueryParametersError', message, details);
}

export function requestTimeTooSkewed(requestTime: string, now: Date, maxSkewMs: number): SigV4Error {
  return new SigV4Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
    RequestTime: requestTime,
    ServerTime: isoSeconds(now),
    MaxAllowedSkewMilliseconds: String(maxSkewMs),
  });
}

export function missingDate(): SigV4Error {
  return new SigV4Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
}

export function headersNotSigned(names: string[]): SigV4Error {
  return new SigV4Error('AccessDenied', 'There were headers present in the request which were not signed', {
    HeadersNotSigned: names.join(', '),
  });
}

export function unsupportedMechanism(): SigV4Error {
  return new SigV4Error(
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  );
}

export function incompleteBody(message = 'The request body terminated unexpectedly'): SigV4Error {
  return new SigV4Error('IncompleteBody', message);
}
