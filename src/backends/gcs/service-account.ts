/**
 * Access tokens from a service account key (the JSON key file Google
 * issues): a self-signed RS256 JWT assertion (WebCrypto through `jose`, so
 * it runs on Workers too) exchanged at the key's `token_uri`, cached and
 * renewed ahead of expiry like every outbound credential.
 */
import { importPKCS8, SignJWT } from 'jose';
import type { HttpClient } from '../../core/http.ts';
import { RefreshingCredentials } from '../../federation/refreshing-credentials.ts';
import { exchangeJwtBearer, GOOGLE_TOKEN_URI, STORAGE_SCOPE } from '../../federation/google-token-client.ts';
import type { GcsTokenProvider } from './auth.ts';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** Why a parsed key file cannot be used (undefined when it can). */
export function serviceAccountKeyProblem(key: unknown): string | undefined {
  if (key === null || typeof key !== 'object') return 'must be a service account key (JSON object)';
  const k = key as Record<string, unknown>;
  if (k.type !== undefined && k.type !== 'service_account') return 'must be a key of type service_account';
  if (typeof k.client_email !== 'string' || !k.client_email.includes('@')) return 'must hold client_email';
  if (typeof k.private_key !== 'string' || !k.private_key.includes('BEGIN PRIVATE KEY')) return 'must hold private_key (PKCS #8 PEM)';
  if (k.token_uri !== undefined && (typeof k.token_uri !== 'string' || !/^https?:\/\//.test(k.token_uri))) return 'token_uri must be an http(s) URL';
  return undefined;
}

/** Assertions live one hour, the most Google accepts. */
const ASSERTION_SECONDS = 3600;

export function serviceAccountTokens(
  key: ServiceAccountKey,
  options: { http: () => HttpClient; now: () => Date; scope?: string; tokenUri?: string; refreshAheadMs?: number },
): GcsTokenProvider {
  const tokenUri = options.tokenUri ?? key.token_uri ?? GOOGLE_TOKEN_URI;
  let signingKey: Promise<CryptoKey> | undefined;
  const cache = new RefreshingCredentials(
    async () => {
      signingKey ??= importPKCS8(key.private_key, 'RS256');
      const now = options.now();
      const iat = Math.floor(now.getTime() / 1000);
      const assertion = await new SignJWT({ scope: options.scope ?? STORAGE_SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id && { kid: key.private_key_id }) })
        .setIssuer(key.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ASSERTION_SECONDS)
        .sign(await signingKey);
      const answer = await exchangeJwtBearer(options.http(), tokenUri, assertion, now);
      return { value: answer.token, expiresAt: answer.expiresAt };
    },
    { now: options.now, ...(options.refreshAheadMs !== undefined && { refreshAheadMs: options.refreshAheadMs }) },
  );
  return { token: () => cache.get(), invalidate: () => cache.invalidate() };
}
