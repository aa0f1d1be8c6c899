/**
 * Who calls the management API. Never anonymous: a request carries either
 * SigV4 (an access key, or session credentials) checked by the gateway's own
 * authenticator, or `Authorization: Bearer <API key>` verified against
 * Sluice's issuer keys with its record checked (not revoked). Only
 * credentials that act for the whole account may manage it: an access key
 * without a ceiling, a session of the account's `_default` role, or an API
 * key not bound to a role. Anything narrower is refused (403), so a
 * read-only credential cannot mint itself wider ones.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Authenticator } from '../core/authenticate.ts';
import type { Body } from '../core/body.ts';
import { S3Error } from '../core/errors/s3-error.ts';
import type { GatewayRequest } from '../core/http.ts';
import { API_KEY_AUDIENCE, API_KEY_TYPE } from '../oidc/issuer/api-key-token.ts';
import type { Issuer } from '../oidc/issuer/create-issuer.ts';
import { CLOCK_SKEW_SECONDS } from '../oidc/token-verifier.ts';
import type { ApiKeyRecordLookup } from '../sts/api-key-exchange.ts';
import { DEFAULT_ROLE_NAME } from '../sts/role-ref.ts';
import { AdminError } from './admin-error.ts';

export interface Caller {
  account: string;
  /** Manages every account (`admin.operators`). */
  operator: boolean;
  via: 'access-key' | 'session' | 'api-key';
  /** What identifies the credential in audit events: an access key id or an API key's jti. */
  credential: string;
}

export interface AdminAuthDeps {
  authenticate: Authenticator;
  issuer?: Pick<Issuer, 'url' | 'keys'>;
  apiKeys?: ApiKeyRecordLookup;
  operators: ReadonlySet<string>;
  now(): Date;
}

/** The caller and the request body to read (checked against its signed digest as it streams). */
export async function authenticateCaller(deps: AdminAuthDeps, req: GatewayRequest): Promise<{ caller: Caller; body?: Body }> {
  const authorization = req.headers.authorization ?? '';
  if (/^bearer /i.test(authorization)) {
    const caller = await apiKeyCaller(deps, authorization.slice(7).trim());
    return { caller, ...(req.body && { body: req.body }) };
  }
  let authentication;
  try {
    authentication = await deps.authenticate(req);
  } catch (error) {
    if (error instanceof S3Error) throw new AdminError('Unauthenticated', `The credentials were refused (${error.code}): ${error.message}`);
    throw error;
  }
  const { identity } = authentication;
  if (identity.kind === 'anonymous') throw new AdminError('Unauthenticated', 'Sign the request (SigV4) or send Authorization: Bearer with an API key.');
  const operator = deps.operators.has(identity.account);
  const base = { account: identity.account, operator, credential: identity.accessKeyId };
  if (identity.session) {
    if (identity.session.role !== DEFAULT_ROLE_NAME) throw new AdminError('Forbidden', 'Only sessions of the account\'s _default role may manage it.');
    return { caller: { ...base, via: 'session' }, ...(authentication.body && { body: authentication.body }) };
  }
  if (identity.ceiling !== undefined) throw new AdminError('Forbidden', 'An access key with a ceiling cannot manage the account.');
  return { caller: { ...base, via: 'access-key' }, ...(authentication.body && { body: authentication.body }) };
}

async function apiKeyCaller(deps: AdminAuthDeps, token: string): Promise<Caller> {
  const { issuer, apiKeys } = deps;
  if (!issuer || !apiKeys) throw new AdminError('Unauthenticated', 'API keys are not accepted by this server.');
  const now = deps.now();
  let claims;
  try {
    const published = (await issuer.keys.keys()).published.map((key) => key.publicJwk);
    ({ payload: claims } = await jwtVerify(token, createLocalJWKSet({ keys: published }), {
      issuer: issuer.url,
      audience: API_KEY_AUDIENCE,
      algorithms: ['ES256', 'RS256'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
    }));
  } catch {
    throw new AdminError('Unauthenticated', 'The API key is not valid (signature, issuer, audience or expiry).');
  }
  if (claims.type !== API_KEY_TYPE || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') {
    throw new AdminError('Unauthenticated', 'The bearer token is not a Sluice API key.');
  }
  const record = await apiKeys.get(claims.jti);
  if (!record || record.account !== claims.sub) throw new AdminError('Unauthenticated', 'The API key is not known to this server.');
  if (record.revokedAt !== undefined) throw new AdminError('Unauthenticated', 'The API key has been revoked.');
  if (claims.role !== undefined) throw new AdminError('Forbidden', 'An API key bound to a role cannot manage the account.');
  return { account: claims.sub, operator: deps.operators.has(claims.sub), via: 'api-key', credential: claims.jti };
}
