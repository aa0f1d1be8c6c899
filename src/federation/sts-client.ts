/**
 * `AssumeRoleWithWebIdentity` against AWS STS (or a compatible service): a
 * form POST through the injected `HttpClient`, unsigned (the web identity
 * token is the proof), and the XML answer read with fast-xml-parser.
 *
 * Failures are typed for the one mapping in `core/errors/to-s3-error.ts`:
 * STS refusing the identity (`AccessDenied`, `InvalidIdentityToken`) is
 * `BackendCredentialsDeniedError` (403 to the client); STS failing on its
 * side (5xx, `Throttling`) or not answering is `BackendUnavailableError`
 * (503, clients retry); any other refusal or an unreadable answer is
 * `BackendAuthenticationError` (502). The `cause` names STS's code and
 * message for the log; it never holds the token or the credentials.
 */
import { BackendAuthenticationError, BackendCredentialsDeniedError, BackendUnavailableError } from '../core/backend-errors.ts';
import type { HttpClient } from '../core/http.ts';
import { postTokenRequest } from './token-post.ts';
import { childElement, elementText, parseXmlDocument } from '../core/s3/xml-read.ts';

export interface AssumeRoleWithWebIdentityRequest {
  /** STS endpoint, e.g. `https://sts.eu-west-1.amazonaws.com`. */
  endpoint: string;
  roleArn: string;
  roleSessionName: string;
  webIdentityToken: string;
  /** An inline session policy (JSON): the session gets the intersection with the role's policies. */
  policy?: string;
  durationSeconds?: number;
}

export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Codes with which STS refuses the identity itself. */
const DENIED_CODES = new Set(['AccessDenied', 'InvalidIdentityToken']);
const TRANSIENT_CODES = new Set(['Throttling', 'ServiceUnavailable', 'InternalFailure', 'IDPCommunicationError']);

/** The regional STS endpoint for an AWS region (China regions in their own partition). */
export function regionalStsEndpoint(region: string): string {
  return region.startsWith('cn-') ? `https://sts.${region}.amazonaws.com.cn` : `https://sts.${region}.amazonaws.com`;
}

export async function assumeRoleWithWebIdentity(
  http: HttpClient,
  request: AssumeRoleWithWebIdentityRequest,
  options: { timeoutMs?: number } = {},
): Promise<StsCredentials> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: request.roleArn,
    RoleSessionName: request.roleSessionName,
    WebIdentityToken: request.webIdentityToken,
  });
  if (request.durationSeconds !== undefined) form.set('DurationSeconds', String(request.durationSeconds));
  if (request.policy !== undefined) form.set('Policy', request.policy);
  const body = new TextEncoder().encode(form.toString());
  const url = `${request.endpoint.replace(/\/+$/, '')}/`;
  const context = { operation: 'AssumeRoleWithWebIdentity', roleArn: request.roleArn, endpoint: url };

  const { status, text } = await postTokenRequest(http, {
    url,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
    context,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });

  if (status >= 200 && status < 300) return readCredentials(text, context);
  const { code, message } = readError(text);
  const detail = { ...context, status, code, message };
  if (code !== undefined && DENIED_CODES.has(code)) throw new BackendCredentialsDeniedError('the token service refused the identity', detail);
  if (status >= 500 || (code !== undefined && TRANSIENT_CODES.has(code))) {
    throw new BackendUnavailableError('the token service is unavailable', detail);
  }
  throw new BackendAuthenticationError('the token service refused the request', detail);
}


function parse(text: string): Record<string, unknown> | undefined {
  try {
    return parseXmlDocument(text, []);
  } catch {
    return undefined;
  }
}

function readCredentials(text: string, context: Record<string, unknown>): StsCredentials {
  const document = parse(text);
  const credentials = childElement(
    childElement(childElement(document, 'AssumeRoleWithWebIdentityResponse'), 'AssumeRoleWithWebIdentityResult'),
    'Credentials',
  );
  const field = (name: string) => elementText(childElement(credentials, name))?.trim();
  const accessKeyId = field('AccessKeyId');
  const secretAccessKey = field('SecretAccessKey');
  const sessionToken = field('SessionToken');
  const expirationText = field('Expiration');
  const expiration = expirationText === undefined ? undefined : new Date(expirationText);
  if (!accessKeyId || !secretAccessKey || !sessionToken || expiration === undefined || Number.isNaN(expiration.getTime())) {
    throw new BackendAuthenticationError('the token service answered without usable credentials', context);
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** STS's `<ErrorResponse><Error><Code/><Message/></Error></ErrorResponse>`, as far as it can be read. */
function readError(text: string): { code?: string; message?: string } {
  const error = childElement(childElement(parse(text), 'ErrorResponse'), 'Error');
  const code = elementText(childElement(error, 'Code'))?.trim();
  const message = elementText(childElement(error, 'Message'))?.trim();
  return { ...(code && { code }), ...(message && { message: message.slice(0, 512) }) };
}
