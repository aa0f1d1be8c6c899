/**
 * Acting as an account toward a remote policy API: each call carries a
 * short-lived JWT from Sluice's issuer, `sub` = the account, `aud` = the
 * API, at most 60 seconds. The API checks it against Sluice's published
 * keys (`{issuer}/.well-known/jwks.json`); it never sees a shared secret.
 */
import type { Issuer } from './create-issuer.ts';
import { createTokenMinter } from './token-minter.ts';
import type { RuntimeContext } from '../../core/runtime.ts';

export const POLICY_API_MAX_LIFETIME_SECONDS = 60;

export interface PolicyApiSigner {
  /** `Authorization` header value (`Bearer …`) for a call made on behalf of `account`. */
  authorization(account: string): Promise<string>;
}

export function createPolicyApiSigner(
  issuer: Pick<Issuer, 'url' | 'keys'>,
  runtime: Pick<RuntimeContext, 'now' | 'randomBytes'>,
  options: { audience: string; lifetimeSeconds?: number },
): PolicyApiSigner {
  const lifetimeSeconds = options.lifetimeSeconds ?? POLICY_API_MAX_LIFETIME_SECONDS;
  const minter = createTokenMinter({
    issuer: issuer.url,
    keys: issuer.keys,
    now: () => runtime.now(),
    randomBytes: (bytes) => runtime.randomBytes(bytes),
    maxLifetimeSeconds: POLICY_API_MAX_LIFETIME_SECONDS,
  });
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > POLICY_API_MAX_LIFETIME_SECONDS) {
    throw new RangeError(`policy API tokens live 1..${POLICY_API_MAX_LIFETIME_SECONDS} s`);
  }
  return {
    async authorization(account) {
      const { token } = await minter.mint({ sub: account, aud: options.audience, lifetimeSeconds });
      return `Bearer ${token}`;
    },
  };
}
