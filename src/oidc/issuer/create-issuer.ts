/**
 * Sluice as an OIDC issuer, assembled from the `issuer` configuration: the
 * key source (keys from the configuration, or from the policy store), the
 * discovery and JWKS routes, and minters for the two kinds of token Sluice
 * signs — toward a cloud's token service (≤ 5 minutes) and toward a policy
 * API (≤ 60 seconds).
 */
import type { SpecialRoute } from '../../core/routes.ts';
import type { RuntimeContext } from '../../core/runtime.ts';
import type { IssuerConfig } from './config-schema.ts';
import { issuerRoutes } from './discovery-routes.ts';
import { type IssuerKey, type IssuerKeySource, IssuerKeyError, importIssuerKey, issuerKeySet, staticKeySource } from './issuer-keys.ts';
import { type TokenMinter, createTokenMinter } from './token-minter.ts';

/** Longest lifetime of a token presented to a cloud's token service. */
export const FEDERATION_MAX_LIFETIME_SECONDS = 300;

export interface Issuer {
  url: string;
  keys: IssuerKeySource;
  routes: SpecialRoute[];
  /** Tokens for cloud token services (AssumeRoleWithWebIdentity and alike): ≤ 5 minutes. */
  minter: TokenMinter;
}

/** Keys listed in the configuration: the first signs, the others are published. Throws `IssuerKeyError`, naming the key. */
export async function configuredKeySource(config: IssuerConfig): Promise<IssuerKeySource | undefined> {
  if (config.keys === undefined) return undefined;
  const keys: IssuerKey[] = [];
  for (const [index, entry] of config.keys.entries()) {
    try {
      keys.push(await importIssuerKey(entry.privateKey, entry.alg));
    } catch (error) {
      throw new IssuerKeyError(`issuer.keys[${index}]: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return staticKeySource(issuerKeySet(keys[0]!, keys.slice(1)));
}

export async function createIssuer(
  config: IssuerConfig,
  runtime: RuntimeContext,
  /** Where keys come from when the configuration lists none (the policy store). */
  storedKeys?: IssuerKeySource,
): Promise<Issuer> {
  const keys = (await configuredKeySource(config)) ?? storedKeys;
  if (keys === undefined) {
    throw new IssuerKeyError('issuer: no keys — list issuer.keys (PEM from the environment) or configure the policy store and run `sluice issuer keys generate`');
  }
  // Fail at start-up, not on the first token, when the store holds no active key.
  await keys.keys();
  return {
    url: config.url,
    keys,
    routes: issuerRoutes({ issuer: config.url, keys, maxAgeSeconds: config.jwksMaxAgeSeconds }),
    minter: createTokenMinter({
      issuer: config.url,
      keys,
      now: () => runtime.now(),
      randomBytes: (bytes) => runtime.randomBytes(bytes),
      maxLifetimeSeconds: FEDERATION_MAX_LIFETIME_SECONDS,
    }),
  };
}
