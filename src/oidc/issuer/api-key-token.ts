/**
 * API keys as tokens: JWTs Sluice signs with its issuer key for callers that
 * have no identity provider of their own (cron jobs, instruments, clusters).
 * A key is exchanged at `/.sts` like any OIDC token, through the built-in
 * identity provider `sluice` (`sts/built-in-provider.ts`).
 *
 * Claims: `iss` = the issuer URL, `sub` = the account, `aud` =
 * `API_KEY_AUDIENCE`, `iat`/`nbf`, a unique `jti` (the key's id for listing
 * and revocation), `type: "api_key"`, an optional `role` (the URN the key is
 * bound to) and an optional `exp`. Every claim comes from the caller's
 * server-side input, never from a request.
 */
import { SignJWT } from 'jose';
import type { IssuerKeySource } from './issuer-keys.ts';

/** The `aud` of every API key: the audience the built-in provider accepts at the STS endpoint. */
export const API_KEY_AUDIENCE = 'sluice-sts';
/** The `type` claim that tells an API key from any other token the issuer signs. */
export const API_KEY_TYPE = 'api_key';

export interface ApiKeyClaimsInput {
  account: string;
  /** A role URN (`account::role/name`) the key may assume, and no other. */
  role?: string;
  expiresAt?: Date;
}

export interface MintedApiKey {
  token: string;
  jti: string;
  kid: string;
  issuedAt: Date;
}

export interface ApiKeySigner {
  issuer: string;
  keys: IssuerKeySource;
  now(): Date;
  randomBytes(bytes: Uint8Array): Uint8Array;
}

export async function mintApiKeyToken(signer: ApiKeySigner, input: ApiKeyClaimsInput): Promise<MintedApiKey> {
  if (input.account === '') throw new TypeError('an API key needs an account');
  const now = signer.now();
  const iat = Math.floor(now.getTime() / 1000);
  if (input.expiresAt !== undefined && input.expiresAt.getTime() <= now.getTime()) throw new RangeError('an API key must expire in the future');
  const { active } = await signer.keys.keys();
  const jti = Array.from(signer.randomBytes(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const jwt = new SignJWT({ type: API_KEY_TYPE, ...(input.role !== undefined && { role: input.role }) })
    .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: 'JWT' })
    .setIssuer(signer.issuer)
    .setSubject(input.account)
    .setAudience(API_KEY_AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setJti(jti);
  if (input.expiresAt !== undefined) jwt.setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000));
  return { token: await jwt.sign(active.privateKey), jti, kid: active.kid, issuedAt: new Date(iat * 1000) };
}
