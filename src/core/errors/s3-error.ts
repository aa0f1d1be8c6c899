/**
 * S3 errors: one code → HTTP status table, following the "Error responses"
 * list in the Amazon S3 API Reference. Every failure a client can see is an
 * `S3Error`; anything else is turned into an opaque 500 at the edge.
 */

const STATUS_BY_CODE = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  // Not an AWS code: Sluice could not obtain credentials for its backend (an outbound token exchange was refused
  // or unreadable). 502 says an upstream failed; the message stays opaque.
  BackendAuthenticationFailed: 502,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  ConditionalRequestConflict: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidLocationConstraint: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidTag: 400,
  InvalidToken: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
} as const satisfies Record<string, number>;

export type S3ErrorCode = keyof typeof STATUS_BY_CODE;


export class S3Error extends Error {
  override name = 'S3Error';
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    /** Extra elements for the XML body (e.g. `StringToSign`), in order. */
    readonly details: Record<string, string> = {},
    /** Extra response headers (e.g. `Content-Range` on 416). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }
}

/** The response S3 gives a caller who may not read a bucket, whether or not it exists. */
export function accessDenied(): S3Error {
  return new S3Error('AccessDenied', 'Access Denied');
}

export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
}

export function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `A header or query you provided implies functionality that is not implemented: ${what}`);
}

export function invalidArgument(message: string, name?: string, value?: string): S3Error {
  const details: Record<string, string> = {};
  if (name !== undefined) details.ArgumentName = name;
  if (value !== undefined) details.ArgumentValue = value;
  return new S3Error('InvalidArgument', message, details);
}
