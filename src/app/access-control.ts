/**
 * Who may do what: the policy store (the config file, layered over the
 * runtime's database store, the remote policy API or the Workers' D1
 * database when one is configured), the fleet's shared cache
 * tier when one is configured, a per-process TTL cache in front (both drop
 * entries as soon as a store with a change feed announces a change),
 * SigV4 authentication with the runtime's crypto, the grant-based access
 * policy, in-process key revocation and — when the `sts` section is
 * configured — the STS endpoint with session credentials as the second
 * credential source.
 */
import { accessKeySource } from '../auth/credential-source.ts';
import { createSigV4Authenticator } from '../auth/sigv4-authenticator.ts';
import { createGrantPolicy } from '../authz/grant-policy.ts';
import type { Authenticator } from '../core/authenticate.ts';
import type { AccessPolicy } from '../core/access-policy.ts';
import type { SpecialRoute } from '../core/routes.ts';
import type { SluiceConfig } from '../core/config.ts';
import type { RuntimeContext } from '../core/runtime.ts';
import type { CacheMetrics } from '../core/metrics/gateway-metrics.ts';
import { parseMasterKey, SecretBox } from '../auth/secret-box.ts';
import { CachedPolicyStore } from '../policy/cached-store.ts';
import { ConfigPolicyStore } from '../policy/config-store.ts';
import { LayeredPolicyStore } from '../policy/layered-store.ts';
import type { Issuer } from '../oidc/issuer/create-issuer.ts';
import { CachedApiKeyRecords } from '../sts/api-key-exchange.ts';
import { builtInProvider, withBuiltInProvider } from '../sts/built-in-provider.ts';
import { type BuiltInProviderOptions, type StsServices, createSts } from '../sts/create-sts.ts';
import { StaticRoleSource } from '../sts/role-source.ts';
import { type RevocationKind, newRevocation, revocationCheckedSource } from '../sts/session-revocation.ts';
import { LayeredRoleSource, StoreRoleSource } from '../sts/store-role-source.ts';
import { keyringConfig } from '../sts/config-schema.ts';
import { StoredKeyringSource } from '../sts/session-keyring-source.ts';
import { AccountProviderDirectory, sharedProviderDirectory } from '../sts/provider-scope.ts';
import { type RegistrationCheck, registerIdentityProvider } from '../sts/idp-registration.ts';
import { hasChangeFeed, type PolicyChange } from '../policy/policy-change.ts';
import type { SharedCache } from '../policy/shared-cache.ts';
import { SharedTierPolicyStore } from '../policy/shared-tier-store.ts';
import { hasBucketCreation, type PolicyStore, type WritablePolicyStore } from '../policy/store.ts';
import type { BucketRegistry } from '../core/bucket-registry.ts';
import { createBucketRegistry } from './bucket-registry.ts';
import { DEFAULT_POLICY_API_LOOKUPS } from '../config/policy-schema.ts';
import { type PolicyApiSigner, createPolicyApiSigner } from '../oidc/issuer/policy-api-signer.ts';
import { PolicyApiError } from '../policy/api/api-client.ts';
import { ApiPolicyStore } from '../policy/api/api-policy-store.ts';
import { writeAudit } from './audit.ts';
import type { AppServices } from './services.ts';

/** "Last used" is a hint for humans: record it at most this often per key. */
const KEY_USE_INTERVAL_MS = 60_000;

export interface AccessControl {
  store: CachedPolicyStore;
  /** The database store, when one is configured (it also holds outbound secrets). */
  managed?: WritablePolicyStore;
  authenticate: Authenticator;
  policy: AccessPolicy;
  /** Buckets clients create and delete, when the database store can hold them. */
  buckets?: BucketRegistry;
  /** Special routes for the gateway: the STS endpoint when configured. */
  routes: SpecialRoute[];
  /** The STS services, when the `sts` section is configured. */
  sts?: StsServices;
  /** Sluice's own OIDC issuer, when configured (it signs API keys). */
  issuer?: Issuer;
  /** API key records through the policy cache, with a database store. */
  apiKeyRecords?: CachedApiKeyRecords;
  /**
   * Register an account's own identity provider (validated, its discovery
   * document checked) and use it in this process at once. Throws without STS
   * and a database store.
   */
  registerIdentityProvider(account: string, input: unknown, options: { allowLocal: boolean; actor?: Record<string, string> }): Promise<RegistrationCheck>;
  /**
   * Remove an account's registered identity provider: its tokens are refused
   * from the next exchange on in this process; elsewhere at once with a
   * store that announces changes (PostgreSQL), else within the policy cache
   * TTL. False when the account has no such provider (or there is no store).
   */
  removeIdentityProvider(account: string, id: string, actor?: Record<string, string>): Promise<boolean>;
  /**
   * Revoke an API key from inside this process: its next exchange here is
   * refused at once; elsewhere at once with a store that announces changes
   * (PostgreSQL), else within the policy cache TTL. False when the managed
   * store has no such key (or there is none).
   */
  revokeApiKey(jti: string, actor?: Record<string, string>): Promise<boolean>;
  /**
   * Revoke a stored key from inside this process: it stops working at once
   * (its cache entry is dropped), not only after the TTL. False when the
   * managed store has no such key (or there is none).
   */
  revokeAccessKey(accessKeyId: string, actor?: Record<string, string>): Promise<boolean>;
  /**
   * Revoke, from inside this process, every session issued so far for a
   * session access key id, a role URN or an account: refused at once here,
   * elsewhere within the policy cache TTL. Throws without a managed store.
   */
  revokeSessions(kind: RevocationKind, value: string): Promise<void>;
  /**
   * The fleet's shared cache when `policy.redisUrl` is set, for other
   * caches to share entries through (JWKS documents, federation
   * credentials, the session deny-list); seal what goes in, expect failures.
   */
  sharedCache?: SharedCache;
  close(): Promise<void>;
}

export interface AccessControlHooks {
  /**
   * Sluice's own issuer, built once the database store is open (its keys may
   * live there); with it, the STS endpoint accepts API keys.
   */
  issuer?: (managed: WritablePolicyStore | undefined) => Promise<Issuer | undefined>;
  /** Where the policy and JWKS caches report hits and misses. */
  cacheMetrics?: CacheMetrics;
}

export async function createAccessControl(config: SluiceConfig, services: AppServices, hooks: AccessControlHooks = {}): Promise<AccessControl> {
  const { cacheMetrics } = hooks;
  const { runtime } = services;
  const fixed = new ConfigPolicyStore(config, runtime.now());
  const managed = await openManagedStore(config, services);
  const ttlMs = config.policy.cacheTtlSeconds * 1000;
  const now = () => runtime.now().getTime();
  const warn = (msg: string, error: unknown) => runtime.log.write({ level: 'warn', msg, error: errorText(error) });
  const api = config.policy.type === 'api' ? policyApiStore(config, services) : undefined;
  const d1 = config.policy.type === 'd1' ? await openD1Store(config, services) : undefined;
  const remote: PolicyStore | undefined = managed ?? api?.store ?? d1;
  let inner: PolicyStore = remote ? new LayeredPolicyStore(fixed, remote) : fixed;
  let sharedCache: SharedCache | undefined;
  let shared: SharedTierPolicyStore | undefined;
  try {
    if (config.policy.redisUrl !== undefined) {
      if (!services.openSharedCache) throw new TypeError('policy.redisUrl is set, but this runtime has no shared cache');
      if (config.policy.masterKey === undefined) throw new TypeError('policy.redisUrl needs policy.masterKey to seal shared entries');
      sharedCache = services.openSharedCache(config.policy.redisUrl);
      inner = shared = new SharedTierPolicyStore(inner, sharedCache, { ttlMs, now, box: new SecretBox(parseMasterKey(config.policy.masterKey)), warn });
    }
  } catch (error) {
    await managed?.close();
    throw error;
  }
  // A policy API store caches each kind of lookup itself, with its own TTL and failure policy: nothing more in front.
  const store = new CachedPolicyStore(inner, {
    ttlMs: api ? 0 : ttlMs,
    now,
    ...(cacheMetrics && { onLookup: (outcome: 'hit' | 'miss') => cacheMetrics.record('policy', outcome) }),
  });
  const storedKeyring = config.sts && keyringConfig(config.sts) === undefined && managed?.sessionKeys
    ? new StoredKeyringSource({ store: managed.sessionKeys, audience: config.sts.sessions.audience, issuer: config.sts.sessions.issuer, ttlMs, now })
    : undefined;
  let storeRoles: StoreRoleSource | undefined;
  let accountProviders: AccountProviderDirectory | undefined;
  // API key records are read through a cache with the policy TTL, like every other policy lookup.
  const apiKeyRecords = managed ? new CachedApiKeyRecords(managed, { ttlMs, now }) : undefined;
  const dropChanged = (change: PolicyChange) => {
    store.applyChange(change);
    void shared?.applyChange(change);
    if (change.kind === 'role') storeRoles?.invalidate(change.account, change.name);
    if (change.kind === 'session-keys' || change.kind === 'all') storedKeyring?.invalidate();
    if (change.kind === 'api-key') apiKeyRecords?.invalidate(change.jti);
    if (change.kind === 'identity-providers') {
      accountProviders?.invalidate(change.account);
      // Stored roles are validated against their account's providers: read them again too.
      storeRoles?.clear();
    }
    if (change.kind === 'all') {
      storeRoles?.clear();
      apiKeyRecords?.clear();
      accountProviders?.clear();
    }
  };
  const unsubscribe = managed && hasChangeFeed(managed) ? managed.onChange(dropChanged) : undefined;
  let issuer: Issuer | undefined;
  let sts: StsServices | undefined;
  try {
    issuer = await hooks.issuer?.(managed);
    if (api?.useSigner) {
      // Policy API calls signed by the issuer (`policy.auth.type: issuer`): `sub` = the account, `aud` = the API.
      if (!issuer || config.policy.auth?.type !== 'issuer') throw new TypeError('policy.auth type issuer needs the issuer section');
      api.useSigner(createPolicyApiSigner(issuer, runtime, { audience: config.policy.auth.audience }));
    }
    ({ sts, accountProviders, storeRoles } = await buildSts(config, services, managed, {
      ...(issuer && apiKeyRecords && { builtIn: { issuerUrl: issuer.url, keys: issuer.keys, records: apiKeyRecords } }),
      ...(cacheMetrics && { cacheMetrics }),
      ...(storedKeyring && { storedKeyring }),
    }));
  } catch (error) {
    unsubscribe?.();
    await sharedCache?.close();
    await managed?.close();
    throw error;
  }
  const buckets = managed && hasBucketCreation(managed)
    ? createBucketRegistry({
      config,
      fixed,
      managed,
      now: () => runtime.now(),
      changed: dropChanged,
      warn: (msg, detail) => runtime.log.write({ level: 'warn', msg, ...detail }),
      audit: (event, detail) => writeAudit(runtime, event, detail),
    })
    : undefined;

  return {
    store,
    ...(managed !== undefined && { managed }),
    authenticate: createSigV4Authenticator({
      sources: [
        accessKeySource(store, () => runtime.now(), managed ? keyUseRecorder(managed, runtime) : undefined),
        // Revoked sessions are read through the policy cache, like every other policy lookup.
        ...(sts ? [revocationCheckedSource(sts.credentialSource, () => store.listSessionRevocations(runtime.now()))] : []),
      ],
      now: () => runtime.now(),
      ...(services.sigv4Crypto !== undefined && { crypto: services.sigv4Crypto }),
      allowedRegions: config.server.allowedRegions,
    }),
    policy: createGrantPolicy(store, config.server.addressing),
    routes: sts?.routes ?? [],
    ...(sts && { sts }),
    ...(issuer && { issuer }),
    ...(apiKeyRecords && { apiKeyRecords }),
    ...(buckets && { buckets }),
    ...(sharedCache !== undefined && { sharedCache }),
    async revokeAccessKey(accessKeyId, actor = {}) {
      const revoked = (await managed?.revokeAccessKey(accessKeyId)) ?? false;
      store.invalidateAccessKey(accessKeyId);
      await shared?.applyChange({ kind: 'access-key', accessKeyId });
      if (revoked) writeAudit(runtime, 'access-key.revoked', { accessKeyId, ...actor });
      return revoked;
    },
    async revokeApiKey(jti, actor = {}) {
      const revoked = (await managed?.revokeApiKey(jti)) ?? false;
      apiKeyRecords?.invalidate(jti);
      if (revoked) writeAudit(runtime, 'api-key.revoked', { jti, ...actor });
      return revoked;
    },
    async registerIdentityProvider(account, input, { allowLocal, actor = {} }) {
      if (!managed || !config.sts || !services.fetch || !accountProviders) {
        throw new TypeError('account identity providers need the sts section and a database policy store (policy.sqlitePath or policy.postgresUrl)');
      }
      const result = await registerIdentityProvider(managed, input, {
        account,
        shared: withBuiltInProvider(config.sts.identityProviders, issuer?.url),
        allowLocal,
        fetch: services.fetch,
        now: runtime.now(),
      });
      if (result.ok) {
        accountProviders.invalidate(account);
        writeAudit(runtime, 'idp.registered', { account, idp: result.provider.id, issuer: result.provider.issuer, ...actor });
      }
      return result;
    },
    async removeIdentityProvider(account, id, actor = {}) {
      const removed = (await managed?.deleteIdentityProvider(account, id)) ?? false;
      accountProviders?.invalidate(account);
      if (removed) writeAudit(runtime, 'idp.removed', { account, idp: id, ...actor });
      return removed;
    },
    async revokeSessions(kind, value) {
      if (!managed) throw new TypeError('revoking sessions needs a database policy store (policy.sqlitePath or policy.postgresUrl)');
      await managed.addSessionRevocation(newRevocation(kind, value, runtime.now()));
      store.invalidateSessionRevocations();
      writeAudit(runtime, 'sessions.revoked', { kind, value });
    },
    async close() {
      unsubscribe?.();
      await sharedCache?.close();
      await managed?.close();
    },
  };
}

async function buildSts(
  config: SluiceConfig,
  services: AppServices,
  managed: WritablePolicyStore | undefined,
  extras: { builtIn?: BuiltInProviderOptions; cacheMetrics?: CacheMetrics; storedKeyring?: StoredKeyringSource },
): Promise<{ sts?: StsServices; accountProviders?: AccountProviderDirectory; storeRoles?: StoreRoleSource }> {
  const sts = config.sts;
  if (!sts) return {};
  const { builtIn, cacheMetrics, storedKeyring } = extras;
  const { runtime } = services;
  if (!services.fetch) throw new TypeError('the sts section is configured, but this runtime supplies no fetch for identity providers');
  const accounts = new Set(config.accounts.map((account) => account.name));
  const accountExists = (account: string) => accounts.has(account);
  const fileRoles = new StaticRoleSource({
    roles: sts.roles,
    primaryProvider: sts.identityProviders.find((p) => p.id === sts.primaryIdentityProvider),
    ...(builtIn && { builtInProvider: builtInProvider(builtIn.issuerUrl) }),
    accountExists,
  });
  const ttlMs = config.policy.cacheTtlSeconds * 1000;
  const now = () => runtime.now().getTime();
  const shared = withBuiltInProvider(sts.identityProviders, builtIn?.issuerUrl);
  // Each account sees the shared providers and its own registered ones, read through a cache with the policy TTL.
  const accountProviders = managed ? new AccountProviderDirectory({ shared, store: managed, ttlMs, now, log: runtime.log }) : undefined;
  const providers = accountProviders ?? sharedProviderDirectory(shared);
  // The file's roles win; roles managed with `sluice roles` come from the store, cached like other policy.
  const storeRoles = managed && new StoreRoleSource({ store: managed, providers, addressing: config.server.addressing, ttlMs, now, log: runtime.log });
  const roleSource = storeRoles ? new LayeredRoleSource([fileRoles, storeRoles]) : fileRoles;
  const built = await createSts({
    config: sts,
    roles: sts.roles,
    roleSource,
    ...(storedKeyring && { storedKeyring }),
    accountExists,
    fetch: services.fetch,
    now: () => runtime.now(),
    random: (bytes) => runtime.randomBytes(bytes),
    log: runtime.log,
    // Exchanges are audit events on the runtime's log sink, beside the access log.
    audit: runtime.log,
    ...(builtIn && { builtIn }),
    ...(cacheMetrics !== undefined && { cacheMetrics }),
    providers,
  });
  return { sts: built, ...(accountProviders && { accountProviders }), ...(storeRoles && { storeRoles }) };
}

async function openManagedStore(config: SluiceConfig, services: AppServices): Promise<WritablePolicyStore | undefined> {
  const { sqlitePath, postgresUrl } = config.policy;
  if (sqlitePath === undefined && postgresUrl === undefined) return undefined;
  const field = sqlitePath !== undefined ? 'sqlitePath' : 'postgresUrl';
  if (!services.openPolicyStore) throw new TypeError(`policy.${field} is set, but this runtime has no database policy store`);
  // Keys made at run time (the management API) may belong to the file's accounts too.
  const fileAccounts = new Set(config.accounts.map((account) => account.name));
  const options = { accountExists: (name: string) => fileAccounts.has(name) };
  return sqlitePath !== undefined
    ? services.openPolicyStore({ ...config.policy, sqlitePath }, options)
    : services.openPolicyStore({ ...config.policy, postgresUrl: postgresUrl! }, options);
}

/** The D1 store (`policy.type: d1`) over the runtime's binding: read-only here, managed with wrangler and `sluice d1`. */
async function openD1Store(config: SluiceConfig, services: AppServices): Promise<PolicyStore> {
  const { binding } = config.policy;
  if (binding === undefined) throw new TypeError('policy.type d1 needs policy.binding');
  if (!services.openD1PolicyStore) {
    throw new TypeError('policy.type d1 is a Cloudflare Workers store (a D1 database bound to the Worker), and this runtime has none');
  }
  return services.openD1PolicyStore({ ...config.policy, type: 'd1', binding });
}

/** The remote policy API store (`policy.type: api`), over the runtime's HTTP client. */
function policyApiStore(config: SluiceConfig, services: AppServices): { store: ApiPolicyStore; useSigner?: (signer: PolicyApiSigner) => void } {
  const { policy } = config;
  const { runtime } = services;
  if (policy.url === undefined || policy.auth === undefined) throw new TypeError('policy.type api needs policy.url and policy.auth');
  const lookup = (kind: keyof typeof DEFAULT_POLICY_API_LOOKUPS) => {
    const chosen = policy.lookups?.[kind] ?? DEFAULT_POLICY_API_LOOKUPS[kind];
    return { ttlMs: chosen.ttlSeconds * 1000, staleMs: chosen.staleSeconds * 1000 };
  };
  let signer: PolicyApiSigner | undefined;
  const auth = policy.auth;
  const store = new ApiPolicyStore({
    url: policy.url,
    http: () => services.httpClient(),
    async authorization(account) {
      if (auth.type === 'bearer') return `Bearer ${auth.token}`;
      if (!signer) throw new PolicyApiError('the issuer that signs policy API calls is not ready');
      return signer.authorization(account);
    },
    products: lookup('products'),
    memberships: lookup('memberships'),
    permissions: lookup('permissions'),
    now: () => runtime.now().getTime(),
    warn: (msg, error) => runtime.log.write({ level: 'warn', msg, error: errorText(error) }),
  });
  return { store, ...(auth.type === 'issuer' && { useSigner: (s: PolicyApiSigner) => void (signer = s) }) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Records each key's last use, at most once a minute, in the background. */
function keyUseRecorder(managed: WritablePolicyStore, runtime: RuntimeContext): (accessKeyId: string) => void {
  const lastRecorded = new Map<string, number>();
  return (accessKeyId) => {
    const now = runtime.now();
    if (now.getTime() - (lastRecorded.get(accessKeyId) ?? 0) < KEY_USE_INTERVAL_MS) return;
    lastRecorded.set(accessKeyId, now.getTime());
    const recorded = managed.recordKeyUse(accessKeyId, now).catch((error: unknown) => {
      runtime.log.write({ level: 'warn', msg: 'could not record key use', accessKeyId, error: String(error) });
    });
    runtime.waitUntil?.(recorded);
  };
}
