/**
 * The OAuth 2.0 calls that yield Google access tokens, through the injected
 * `HttpClient`:
 *
 * - the JWT-bearer grant at a service account key's `token_uri`
 *   (RFC 7523: a self-signed RS256 assertion);
 * - Google STS token exchange (RFC 8693) at `https://sts.googleapis.com/v1/token`:
 *   Sluice's own issuer JWT for a federated access token, audience the
 *   workload identity provider;
 * - IAM Credentials `generateAccessToken` for a service account, called with
 *   the federated token.
 *
 * Failures are typed as the AWS exchange's are: the identity refused
 * (`invalid_grant`, `unauthorized_client`, 401/403) is
 * `BackendCredentialsDeniedError`; 5xx or no answer is
 * `BackendUnavailableError`; anything else `BackendAuthenticationError`. The
 * `cause` holds Google's error code and message, never a token or key.
 */
import { BackendAuthenticationError, BackendCredentialsDeniedError, BackendUnavailableError } from '../core/backend-errors.ts';
import type { HeaderMap, HttpClient } from '../core/http.ts';
import { postTokenRequest } from './token-post.ts';

export const GOOGLE_STS_ENDPOINT = 'https://sts.googleapis.com/v1/token';
export const GOOGLE_IAM_CREDENTIALS_ENDPOINT = 'https://iamcredentials.googleapis.com';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const STORAGE_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const DENIED = new Set(['invalid_grant', 'unauthorized_client', 'access_denied', 'PERMISSION_DENIED', 'UNAUTHENTICATED']);

export interface GoogleAccessToken {
  token: string;
  expiresAt: Date;
}

async function post(http: HttpClient, url: string, body: Uint8Array, headers: HeaderMap, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { status, text } = await postTokenRequest(http, { url, body, headers: { ...headers, accept: 'application/json' }, context });
  let document: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object') document = parsed as Record<string, unknown>;
  } catch {
    // Read as an error below.
  }
  if (status >= 200 && status < 300) return document;
  const nested = document.error !== null && typeof document.error === 'object' ? (document.error as Record<string, unknown>) : undefined;
  const code = String(nested?.status ?? document.error ?? '') || undefined;
  const message = String(nested?.message ?? document.error_description ?? '').slice(0, 512) || undefined;
  const detail = { ...context, status, code, message };
  if (status >= 500) throw new BackendUnavailableError('the token service is unavailable', detail);
  if (status === 401 || status === 403 || (code !== undefined && DENIED.has(code))) throw new BackendCredentialsDeniedError('the token service refused the identity', detail);
  throw new BackendAuthenticationError('the token service refused the request', detail);
}

function form(fields: Record<string, string>): Uint8Array {
  return new TextEncoder().encode(new URLSearchParams(fields).toString());
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** `{ access_token, expires_in }` as an expiring token. */
function oauthAnswer(document: Record<string, unknown>, now: Date, context: Record<string, unknown>): GoogleAccessToken {
  const token = document.access_token;
  const expiresIn = Number(document.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new BackendAuthenticationError('the token service answered without a usable token', context);
  }
  return { token, expiresAt: new Date(now.getTime() + expiresIn * 1000) };
}

/** The JWT-bearer grant: `assertion` signed with a service account's key. */
export async function exchangeJwtBearer(http: HttpClient, tokenUri: string, assertion: string, now: Date): Promise<GoogleAccessToken> {
  const context = { operation: 'jwt-bearer', endpoint: tokenUri };
  const document = await post(http, tokenUri, form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }), FORM, context);
  return oauthAnswer(document, now, context);
}

/** Google STS token exchange of an external JWT for a federated access token. */
export async function exchangeExternalToken(
  http: HttpClient,
  request: { endpoint: string; audience: string; subjectToken: string; scope: string },
  now: Date,
): Promise<GoogleAccessToken> {
  const context = { operation: 'sts.token', endpoint: request.endpoint, audience: request.audience };
  const document = await post(
    http,
    request.endpoint,
    form({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: request.audience,
      scope: request.scope,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: request.subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    }),
    FORM,
    context,
  );
  return oauthAnswer(document, now, context);
}

/** IAM Credentials `generateAccessToken` for `serviceAccount`, authorized by `federatedToken`. */
export async function generateAccessToken(
  http: HttpClient,
  request: { endpoint: string; serviceAccount: string; federatedToken: string; scope: string; lifetimeSeconds: number },
): Promise<GoogleAccessToken> {
  const url = `${request.endpoint.replace(/\/+$/, '')}/v1/projects/-/serviceAccounts/${encodeURIComponent(request.serviceAccount)}:generateAccessToken`;
  const context = { operation: 'generateAccessToken', endpoint: url, serviceAccount: request.serviceAccount };
  const document = await post(
    http,
    url,
    new TextEncoder().encode(JSON.stringify({ scope: [request.scope], lifetime: `${request.lifetimeSeconds}s` })),
    { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${request.federatedToken}` },
    context,
  );
  const token = document.accessToken;
  const expiresAt = new Date(String(document.expireTime));
  if (typeof token !== 'string' || token === '' || Number.isNaN(expiresAt.getTime())) {
    throw new BackendAuthenticationError('the token service answered without a usable token', context);
  }
  return { token, expiresAt };
}
