/**
 * The `AssumeRoleWithWebIdentityResponse` document, element for element as
 * AWS STS returns it, so AWS SDKs and tools parse it unmodified.
 */
import type { GatewayResponse } from '../core/http.ts';
import { type XmlNode, xmlDocument } from '../core/s3/xml.ts';
import type { SessionCredentials } from './mint-session.ts';
import { STS_NAMESPACE, xmlResponse } from './sts-error.ts';

export interface AssumeRoleWithWebIdentityResult {
  credentials: SessionCredentials;
  /** The token's `sub`. */
  subject: string;
  audience: string;
  /** The token's `iss`. */
  provider: string;
  assumedRoleArn: string;
  assumedRoleId: string;
}

/** STS writes timestamps in ISO 8601 to the second. */
export function stsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function renderAssumeRoleWithWebIdentity(result: AssumeRoleWithWebIdentityResult, requestId: string): GatewayResponse {
  const children: XmlNode[] = [
    ['AssumeRoleWithWebIdentityResult', [
      ['SubjectFromWebIdentityToken', result.subject],
      ['Audience', result.audience],
      ['AssumedRoleUser', [
        ['Arn', result.assumedRoleArn],
        ['AssumedRoleId', result.assumedRoleId],
      ]],
      ['Credentials', [
        ['SessionToken', result.credentials.sessionToken],
        ['SecretAccessKey', result.credentials.secretAccessKey],
        ['Expiration', stsDate(result.credentials.expiration)],
        ['AccessKeyId', result.credentials.accessKeyId],
      ]],
      ['Provider', result.provider],
    ]],
    ['ResponseMetadata', [['RequestId', requestId]]],
  ];
  return xmlResponse(200, xmlDocument('AssumeRoleWithWebIdentityResponse', children, STS_NAMESPACE), requestId);
}
