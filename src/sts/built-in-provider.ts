/**
 * Sluice's own issuer as an identity provider of its STS endpoint, so API
 * key tokens (`oidc/issuer/api-key-token.ts`) are exchanged like any OIDC
 * token. Its id is `sluice` (reserved: no configured provider may take it);
 * its one audience is `sluice-sts`. A role trusts API keys with a binding
 * `{ provider: sluice, audience: sluice-sts }`; every account's `_default`
 * role trusts its own account's keys. Tokens are verified against the
 * issuer's keys in this process — nothing is fetched.
 */
import { API_KEY_AUDIENCE } from '../oidc/issuer/api-key-token.ts';
import type { IssuerKeySource } from '../oidc/issuer/issuer-keys.ts';
import type { IdentityProvider } from '../oidc/provider-config.ts';
import type { LocalProvider } from '../oidc/token-verifier.ts';

export const BUILT_IN_PROVIDER_ID = 'sluice';

export function builtInProvider(issuerUrl: string): IdentityProvider {
  return { id: BUILT_IN_PROVIDER_ID, issuer: issuerUrl, audiences: [API_KEY_AUDIENCE], local: true, claims: 'generic' };
}

/** The providers roles may bind to: the configured ones, plus the built-in one when Sluice is an issuer. */
export function withBuiltInProvider(providers: readonly IdentityProvider[], issuerUrl: string | undefined): IdentityProvider[] {
  return issuerUrl === undefined ? [...providers] : [...providers.filter((p) => p.id !== BUILT_IN_PROVIDER_ID), builtInProvider(issuerUrl)];
}

/** The built-in provider for the token verifier: the issuer's published keys, `exp` optional (keys may not expire). */
export function builtInLocalProvider(issuerUrl: string, keys: IssuerKeySource): LocalProvider {
  return {
    provider: builtInProvider(issuerUrl),
    keys: async () => ({ keys: (await keys.keys()).published.map((key) => key.publicJwk) }),
    expOptional: true,
  };
}
