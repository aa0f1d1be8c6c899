/**
 * From the provider's code to Sluice session credentials: the code is
 * exchanged for an ID token through the console's relay, and the ID token at
 * `/.sts` (AssumeRoleWithWebIdentity) for short-lived credentials. Neither the
 * token nor the credentials are stored anywhere but in this page's memory.
 */
import type { SessionCredentials } from '../s3/credentials.ts';
import { errorFromResponse, S3RequestError } from '../s3/errors.ts';
import { firstText, parseXml } from '../s3/xml.ts';
import { redirectUri } from './pkce.ts';

export interface Session {
  credentials: SessionCredentials;
  /** The assumed role's ARN, as STS reports it. */
  roleArn: string;
  subject: string;
}

function tokenClaims(idToken: string): Record<string, unknown> {
  const payload = idToken.split('.')[1] ?? '';
  try {
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A RoleSessionName STS accepts (2–64 of `[\w+=,.@-]`), from the token's subject. */
export function sessionName(claims: Record<string, unknown>): string {
  const from = [claims.preferred_username, claims.email, claims.sub].find((value) => typeof value === 'string' && value !== '') as string | undefined;
  const cleaned = (from ?? 'console').replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : 'console';
}

async function postForm(path: string, form: Record<string, string>): Promise<Response> {
  try {
    return await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new S3RequestError(0, 'NetworkError', error instanceof Error ? error.message : String(error));
  }
}

export async function exchangeCode(code: string, verifier: string): Promise<string> {
  const response = await postForm('/.console/oidc/token', { code, code_verifier: verifier, redirect_uri: redirectUri() });
  const body = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.id_token) throw new S3RequestError(response.status, body.error ?? 'invalid_response', body.error_description ?? '');
  return body.id_token;
}

/** `role`: the configured role, or null for the `_default` role of the account the token's `sub` names. */
export async function assumeRole(idToken: string, role: string | null): Promise<Session> {
  const claims = tokenClaims(idToken);
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const roleArn = role ?? `${subject}::role/_default`;
  const response = await postForm('/.sts', {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: roleArn,
    RoleSessionName: sessionName(claims),
    WebIdentityToken: idToken,
  });
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  const doc = parseXml(text);
  const credentials: SessionCredentials = {
    accessKeyId: firstText(doc, 'AccessKeyId') ?? '',
    secretAccessKey: firstText(doc, 'SecretAccessKey') ?? '',
    sessionToken: firstText(doc, 'SessionToken') ?? '',
    expiration: new Date(firstText(doc, 'Expiration') ?? 0),
  };
  if (!credentials.accessKeyId || !credentials.secretAccessKey || Number.isNaN(credentials.expiration.getTime())) {
    throw new S3RequestError(502, 'InvalidResponse', 'the STS answer held no credentials');
  }
  return { credentials, roleArn: firstText(doc, 'Arn') ?? roleArn, subject: firstText(doc, 'SubjectFromWebIdentityToken') ?? subject };
}
