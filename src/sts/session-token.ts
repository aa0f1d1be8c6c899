/**
 * Session tokens: ES256 JWTs that carry everything a session credential
 * means — account, role, ceiling, who assumed it — so that no server needs
 * to remember issued sessions. The header names the signing key (`kid`) and a
 * dedicated `typ`, so no other JWT the server signs can pass for one.
 */
import { type JWTPayload, SignJWT, errors, jwtVerify } from 'jose';
import type { Action, PermissionStatement } from '../core/identity.ts';
import type { SessionKeyring } from './session-keyring.ts';

export const SESSION_TOKEN_TYPE = 'sluice-session+jwt';

export interface SessionClaims {
  account_id: string;
  role_name: string;
  ceiling: PermissionStatement[];
  assumed_by: string;
  assumed_by_issuer: string;
  session_name: string;
  access_key_id: string;
  /** Seconds since the epoch. */
  iat: number;
  nbf: number;
  exp: number;
}

/** Servers' clocks differ a little: a token is valid from a minute before it was issued. */
const NOT_BEFORE_LEEWAY_SECONDS = 60;

export async function signSessionToken(
  keyring: SessionKeyring,
  claims: Omit<SessionClaims, 'nbf'>,
): Promise<string> {
  return new SignJWT({ ...claims, nbf: claims.iat - NOT_BEFORE_LEEWAY_SECONDS })
    .setProtectedHeader({ alg: 'ES256', kid: keyring.signing.kid, typ: SESSION_TOKEN_TYPE })
    .setIssuer(keyring.issuer)
    .setAudience(keyring.audience)
    .sign(keyring.signing.key);
}

export type SessionTokenCheck = { ok: true; claims: SessionClaims } | { ok: false; reason: 'expired' | 'invalid'; detail: string };

/** Verify signature, type, issuer, audience, time and shape. Never throws. */
export async function verifySessionToken(keyring: SessionKeyring, token: string, now: Date): Promise<SessionTokenCheck> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keyring.verificationKey(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: ['ES256'],
        typ: SESSION_TOKEN_TYPE,
        issuer: keyring.issuer,
        audience: keyring.audience,
        currentDate: now,
        requiredClaims: ['exp', 'nbf', 'iat'],
      },
    ));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', detail: 'session token expired' };
    return { ok: false, reason: 'invalid', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const claims = asSessionClaims(payload);
  return claims ? { ok: true, claims } : { ok: false, reason: 'invalid', detail: 'session token claims have the wrong shape' };
}

function asSessionClaims(p: JWTPayload): SessionClaims | undefined {
  const strings = ['account_id', 'role_name', 'assumed_by', 'assumed_by_issuer', 'session_name', 'access_key_id'] as const;
  if (!strings.every((name) => typeof p[name] === 'string' && p[name] !== '')) return undefined;
  if (!Array.isArray(p.ceiling) || p.ceiling.length === 0 || !p.ceiling.every(isStatement)) return undefined;
  return p as unknown as SessionClaims;
}

function isStatement(value: unknown): value is PermissionStatement {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const actions: readonly Action[] = ['read', 'write'];
  if (typeof s.bucket !== 'string' || s.bucket === '') return false;
  if (!Array.isArray(s.actions) || s.actions.length === 0 || !s.actions.every((a) => actions.includes(a))) return false;
  return s.prefixes === undefined || (Array.isArray(s.prefixes) && s.prefixes.every((x) => typeof x === 'string'));
}
