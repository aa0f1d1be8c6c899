/**
 * The Microsoft Entra ID token request of workload identity federation: a
 * client-credentials grant whose client authentication is a JWT assertion
 * (RFC 7523 §2.2; Sluice's own token), form-POSTed to the tenant's v2.0
 * token endpoint through the injected `HttpClient`. The JSON answer gives an
 * access token and its lifetime (`expires_in`, seconds).
 *
 * Failures are typed like the STS client's: Entra refusing the client or
 * its assertion (`invalid_client`, `invalid_grant`, `unauthorized_client`,
 * `invalid_scope`) is `BackendCredentialsDeniedError` (403 to the client);
 * 5xx, `temporarily_unavailable` or no answer is `BackendUnavailableError`
 * (503); anything else, or an unreadable answer, `BackendAuthenticationError`
 * (502). The `cause` carries Entra's error, description (trimmed) and codes,
 * never the assertion or the access token.
 */
import { BackendAuthenticationError, BackendCredentialsDeniedError, BackendUnavailableError } from '../core/backend-errors.ts';
import type { HttpClient } from '../core/http.ts';
import { postTokenRequest } from './token-post.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The scope of an access token for Azure Storage's data plane. */
export const AZURE_STORAGE_SCOPE = 'https://storage.azure.com/.default';

export interface EntraTokenRequest {
  /** `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`, or another cloud's. */
  tokenEndpoint: string;
  /** The application (client) id of the app registration or managed identity. */
  clientId: string;
  /** The signed JWT presented as the client's credential. */
  clientAssertion: string;
  scope: string;
}

export interface EntraAccessToken {
  accessToken: string;
  expiresAt: Date;
}

const DENIED = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_scope']);

/** The default v2.0 token endpoint of a tenant. */
export function entraTokenEndpoint(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

export async function requestEntraToken(
  http: HttpClient,
  request: EntraTokenRequest,
  options: { now: () => Date; timeoutMs?: number },
): Promise<EntraAccessToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: request.clientId,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: request.clientAssertion,
    scope: request.scope,
  });
  const body = new TextEncoder().encode(form.toString());
  const context = { operation: 'EntraTokenRequest', clientId: request.clientId, endpoint: request.tokenEndpoint };
  const sentAt = options.now().getTime();
  const { status, text } = await postTokenRequest(http, {
    url: request.tokenEndpoint,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    context,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  const answer = parseJson(text);
  if (status >= 200 && status < 300) {
    const accessToken = answer?.['access_token'];
    const expiresIn = Number(answer?.['expires_in']);
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new BackendAuthenticationError('the token endpoint answered without a usable access token', { ...context, status });
    }
    // Counted from when the request was sent, so the token is never thought to live longer than it does.
    return { accessToken, expiresAt: new Date(sentAt + expiresIn * 1000) };
  }
  const error = typeof answer?.['error'] === 'string' ? answer['error'] : undefined;
  const description = typeof answer?.['error_description'] === 'string' ? answer['error_description'].slice(0, 512) : undefined;
  const codes = Array.isArray(answer?.['error_codes']) ? answer['error_codes'] : undefined;
  const detail = { ...context, status, ...(error && { error }), ...(description && { description }), ...(codes && { codes }) };
  if (error !== undefined && DENIED.has(error)) throw new BackendCredentialsDeniedError('the token endpoint refused the identity', detail);
  if (status >= 500 || error === 'temporarily_unavailable') throw new BackendUnavailableError('the token endpoint is unavailable', detail);
  throw new BackendAuthenticationError('the token endpoint refused the request', detail);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
