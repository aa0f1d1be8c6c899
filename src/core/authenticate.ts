/**
 * The authenticate stage: who sent the request. Unsigned requests are
 * anonymous; signed ones go to the configured verifier. Without one, a signed
 * request is refused rather than silently treated as anonymous (fail closed).
 */
import type { Body } from './body.ts';
import { S3Error } from './errors/s3-error.ts';
import type { GatewayRequest } from './http.ts';
import { ANONYMOUS, type Identity } from './identity.ts';

export interface Authentication {
  identity: Identity;
  /**
   * The request body as the rest of the pipeline must read it: decoded from
   * aws-chunked framing and/or checked against its signed digest as it streams.
   */
  body?: Body;
  /** Trailing headers of an aws-chunked body, available once the body has been read to its end. */
  trailers?: () => Record<string, string> | undefined;
}

export type Authenticator = (req: GatewayRequest) => Promise<Authentication>;

/** Whether a request carries SigV4 (or legacy) credentials in a header or the query. */
function isSignedRequest(req: GatewayRequest): boolean {
  if (req.headers.authorization !== undefined) return true;
  return /(?:^|&)(?:X-Amz-Credential|X-Amz-Signature|AWSAccessKeyId|Signature)=/i.test(req.rawQuery);
}

export const anonymousOnly: Authenticator = async (req) => {
  if (isSignedRequest(req)) throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  return { identity: ANONYMOUS, body: req.body };
};
