/**
 * Minting Sluice's own JWTs with the active issuer key. Every claim comes
 * from the caller's server-side state — `sub`, `aud` and the lifetime are
 * arguments, never request data — and the minter adds `iss`, `iat`, `nbf`,
 * `exp`, a unique `jti` and the signing key's `kid` in the header. Lifetimes
 * are capped by the caller's contract (5 minutes for cloud federation,
 * 60 seconds toward a policy API).
 */
import { SignJWT } from 'jose';
import type { IssuerKeySource } from './issuer-keys.ts';

export interface MintRequest {
  sub: string;
  aud: string;
  lifetimeSeconds: number;
  /** Extra claims, set by server code only; they cannot override the registered ones. */
  claims?: Record<string, string | number | boolean>;
}

export interface MintedToken {
  token: string;
  jti: string;
  kid: string;
  expiresAt: Date;
}

export interface TokenMinterOptions {
  issuer: string;
  keys: IssuerKeySource;
  now(): Date;
  randomBytes(bytes: Uint8Array): Uint8Array;
  /** The longest lifetime this minter signs. */
  maxLifetimeSeconds: number;
}

export interface TokenMinter {
  readonly issuer: string;
  mint(request: MintRequest): Promise<MintedToken>;
}

const REGISTERED = new Set(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti']);

export function createTokenMinter(options: TokenMinterOptions): TokenMinter {
  return {
    issuer: options.issuer,
    async mint(request) {
      if (!Number.isInteger(request.lifetimeSeconds) || request.lifetimeSeconds < 1 || request.lifetimeSeconds > options.maxLifetimeSeconds) {
        throw new RangeError(`token lifetime must be 1..${options.maxLifetimeSeconds} s, got ${request.lifetimeSeconds}`);
      }
      if (request.sub === '' || request.aud === '') throw new TypeError('a minted token needs a subject and an audience');
      for (const name of Object.keys(request.claims ?? {})) {
        if (REGISTERED.has(name)) throw new TypeError(`claim ${name} is set by the minter`);
      }
      const { active } = await options.keys.keys();
      const iat = Math.floor(options.now().getTime() / 1000);
      const exp = iat + request.lifetimeSeconds;
      const jti = Array.from(options.randomBytes(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      const token = await new SignJWT({ ...request.claims })
        .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setSubject(request.sub)
        .setAudience(request.aud)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(active.privateKey);
      return { token, jti, kid: active.kid, expiresAt: new Date(exp * 1000) };
    },
  };
}
