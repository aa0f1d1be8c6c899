/**
 * Minting session credentials for an assumed role: a fresh key id, its
 * derived secret, and a session token binding both to the role's ceiling.
 */
import type { Role } from './role.ts';
import { deriveSessionSecret, newSessionKeyId } from './session-access-key.ts';
import type { SessionKeyring } from './session-keyring.ts';
import { signSessionToken } from './session-token.ts';

export interface SessionGrant {
  role: Role;
  sessionName: string;
  /** `sub` and `iss` of the identity token that assumed the role. */
  assumedBy: string;
  assumedByIssuer: string;
  durationSeconds: number;
  now: Date;
  random: (bytes: Uint8Array) => Uint8Array;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export async function mintSessionCredentials(keyring: SessionKeyring, grant: SessionGrant): Promise<SessionCredentials> {
  const accessKeyId = newSessionKeyId(keyring.activeHmacVersion, grant.random);
  const secretAccessKey = await deriveSessionSecret(keyring, accessKeyId);
  if (secretAccessKey === undefined) throw new TypeError('the active session HMAC version has no secret');
  // Whole seconds, so the Expiration reported and the token's exp agree exactly.
  const iat = Math.floor(grant.now.getTime() / 1000);
  const exp = iat + grant.durationSeconds;
  const sessionToken = await signSessionToken(keyring, {
    account_id: grant.role.account,
    role_name: grant.role.name,
    ceiling: grant.role.ceiling.map((s) => ({ ...s, actions: [...s.actions], ...(s.prefixes ? { prefixes: [...s.prefixes] } : {}) })),
    assumed_by: grant.assumedBy,
    assumed_by_issuer: grant.assumedByIssuer,
    session_name: grant.sessionName,
    access_key_id: accessKeyId,
    iat,
    exp,
  });
  return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(exp * 1000) };
}
