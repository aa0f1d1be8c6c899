/**
 * Assembling STS from its validated configuration and the runtime's services:
 * the routes for the special-route table, the session credential source for
 * authentication, and the pieces a composition root may want on their own.
 */
import type { CacheMetrics } from '../core/metrics/gateway-metrics.ts';
import type { LogSink } from '../core/runtime.ts';
import type { FetchLike } from '../oidc/bounded-fetch.ts';
import { JwksCache } from '../oidc/jwks-cache.ts';
import { TokenVerifier } from '../oidc/token-verifier.ts';
import { type StsConfig, keyringConfig } from './config-schema.ts';
import type { SpecialRoute } from '../core/routes.ts';
import type { Role } from './role.ts';
import type { IssuerKeySource } from '../oidc/issuer/issuer-keys.ts';
import type { ApiKeyRecordLookup } from './api-key-exchange.ts';
import { builtInLocalProvider, builtInProvider } from './built-in-provider.ts';
import { type RoleSource, StaticRoleSource } from './role-source.ts';
import type { ProviderDirectory } from './provider-scope.ts';
import { SessionCredentialSource } from './session-credential-source.ts';
import { SessionKeyring } from './session-keyring.ts';
import { fixedKeyringSource, type SessionKeyringSource } from './session-keyring-source.ts';
import { type RoleTokenTest, testRoleToken } from './role-token-test.ts';
import { createStsRoutes } from './sts-route.ts';

export interface CreateStsOptions {
  config: StsConfig;
  /** The roles `checkStsConfig` returned. */
  roles: readonly Role[];
  accountExists: (account: string) => boolean;
  /** Replaces the static role source (e.g. a store-backed one). */
  roleSource?: RoleSource;
  /** The session keys when the section gives none: read from the policy store. */
  storedKeyring?: SessionKeyringSource;
  fetch: FetchLike;
  now: () => Date;
  random: (bytes: Uint8Array) => Uint8Array;
  log: LogSink;
  audit: LogSink;
  /** Sluice's own issuer as the built-in provider of API keys, with the records their exchanges check. */
  builtIn?: BuiltInProviderOptions;
  /** Where the JWKS cache reports hits and misses (`jwks`). */
  cacheMetrics?: CacheMetrics;
  /** The providers each account may use, with its registered ones; absent: the configured ones and the built-in one. */
  providers?: ProviderDirectory;
}

export interface BuiltInProviderOptions {
  issuerUrl: string;
  keys: IssuerKeySource;
  records: ApiKeyRecordLookup;
}

export interface StsServices {
  routes: SpecialRoute[];
  credentialSource: SessionCredentialSource;
  roles: RoleSource;
  verifier: TokenVerifier;
  keyring: SessionKeyringSource;
  /** The exchange's checks of `token` against `role`, as a dry run: nothing issued, no exchange audited. */
  testRoleToken(role: Role, token: string): Promise<RoleTokenTest>;
}

export async function createSts(options: CreateStsOptions): Promise<StsServices> {
  const { config } = options;
  const fixed = keyringConfig(config);
  const keyring = fixed ? fixedKeyringSource(await SessionKeyring.create(fixed)) : options.storedKeyring;
  if (!keyring) throw new TypeError('sts.sessions gives no keys and there is no policy store to read them from');
  const { cacheMetrics } = options;
  const jwks = new JwksCache({
    fetch: options.fetch,
    now: options.now,
    log: options.log,
    ...(cacheMetrics !== undefined && { onLookup: (outcome: 'hit' | 'miss') => cacheMetrics.record('jwks', outcome) }),
  });
  const { builtIn } = options;
  const verifier = new TokenVerifier(config.identityProviders, jwks, builtIn ? [builtInLocalProvider(builtIn.issuerUrl, builtIn.keys)] : []);
  const roles = options.roleSource ?? new StaticRoleSource({
    roles: options.roles,
    primaryProvider: config.identityProviders.find((p) => p.id === config.primaryIdentityProvider),
    ...(builtIn && { builtInProvider: builtInProvider(builtIn.issuerUrl) }),
    accountExists: options.accountExists,
  });
  const checks = { verifier, ...(builtIn && { apiKeys: builtIn.records }), ...(options.providers && { providers: options.providers }) };
  return {
    routes: createStsRoutes({ ...checks, roles, keyring, random: options.random, audit: options.audit }),
    credentialSource: new SessionCredentialSource({ keyring, now: options.now }),
    roles,
    verifier,
    keyring,
    testRoleToken: (role, token) => testRoleToken(checks, role, token, options.now()),
  };
}
