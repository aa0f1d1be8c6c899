/**
 * Who may do what: the policy store (the config file, layered over the
 * runtime's database store when one is configured), the fleet's shared cache
 * tier when one is configured, a per-process TTL cache in front (both drop
 * entries as soon as a store with a change feed announces a change),
 * SigV4 authentication with the runtime's crypto, the grant-based access
 * policy, and in-process key revocation.
 */
import { accessKeySource } from '../auth/credential-source.ts';
import { createSigV4Authenticator } from '../auth/sigv4-authenticator.ts';
import { createGrantPolicy } from '../authz/grant-policy.ts';
import type { Authenticator } from '../core/authenticate.ts';
import type { AccessPolicy } from '../core/access-policy.ts';
import type { SluiceConfig } from '../core/config.ts';
import type { RuntimeContext } from '../core/runtime.ts';
import { parseMasterKey, SecretBox } from '../auth/secret-box.ts';
import { CachedPolicyStore } from '../policy/cached-store.ts';
import { ConfigPolicyStore } from '../policy/config-store.ts';
import { LayeredPolicyStore } from '../policy/layered-store.ts';
import { hasChangeFeed, type PolicyChange } from '../policy/policy-change.ts';
import type { SharedCache } from '../policy/shared-cache.ts';
import { SharedTierPolicyStore } from '../policy/shared-tier-store.ts';
import type { PolicyStore, WritablePolicyStore } from '../policy/store.ts';
import { writeAudit } from './audit.ts';
import type { AppServices } from './services.ts';

/** "Last used" is a hint for humans: record it at most this often per key. */
const KEY_USE_INTERVAL_MS = 60_000;

export interface AccessControl {
  store: CachedPolicyStore;
  authenticate: Authenticator;
  policy: AccessPolicy;
  /**
   * Revoke a stored key from inside this process: it stops working at once
   * (its cache entry is dropped), not only after the TTL. False when the
   * managed store has no such key (or there is none).
   */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  /**
   * The fleet's shared cache when `policy.redisUrl` is set, for other
   * caches to share entries through (JWKS documents, federation
   * credentials, the session deny-list); seal what goes in, expect failures.
   */
  sharedCache?: SharedCache;
  close(): Promise<void>;
}

export async function createAccessControl(config: SluiceConfig, services: AppServices): Promise<AccessControl> {
  const { runtime } = services;
  const fixed = new ConfigPolicyStore(config, runtime.now());
  const managed = await openManagedStore(config, services);
  const ttlMs = config.policy.cacheTtlSeconds * 1000;
  const now = () => runtime.now().getTime();
  const warn = (msg: string, error: unknown) => runtime.log.write({ level: 'warn', msg, error: errorText(error) });
  let inner: PolicyStore = managed ? new LayeredPolicyStore(fixed, managed) : fixed;
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
  const store = new CachedPolicyStore(inner, { ttlMs, now });
  const dropChanged = (change: PolicyChange) => {
    store.applyChange(change);
    void shared?.applyChange(change);
  };
  const unsubscribe = managed && hasChangeFeed(managed) ? managed.onChange(dropChanged) : undefined;

  return {
    store,
    authenticate: createSigV4Authenticator({
      sources: [accessKeySource(store, () => runtime.now(), managed ? keyUseRecorder(managed, runtime) : undefined)],
      now: () => runtime.now(),
      ...(services.sigv4Crypto !== undefined && { crypto: services.sigv4Crypto }),
      allowedRegions: config.server.allowedRegions,
    }),
    policy: createGrantPolicy(store, config.server.addressing),
    ...(sharedCache !== undefined && { sharedCache }),
    async revokeAccessKey(accessKeyId) {
      const revoked = (await managed?.revokeAccessKey(accessKeyId)) ?? false;
      store.invalidateAccessKey(accessKeyId);
      await shared?.applyChange({ kind: 'access-key', accessKeyId });
      if (revoked) writeAudit(runtime, 'access-key.revoked', { accessKeyId });
      return revoked;
    },
    async close() {
      unsubscribe?.();
      await sharedCache?.close();
      await managed?.close();
    },
  };
}

async function openManagedStore(config: SluiceConfig, services: AppServices): Promise<WritablePolicyStore | undefined> {
  const { sqlitePath, postgresUrl } = config.policy;
  if (sqlitePath === undefined && postgresUrl === undefined) return undefined;
  const field = sqlitePath !== undefined ? 'sqlitePath' : 'postgresUrl';
  if (!services.openPolicyStore) throw new TypeError(`policy.${field} is set, but this runtime has no database policy store`);
  return sqlitePath !== undefined
    ? services.openPolicyStore({ ...config.policy, sqlitePath })
    : services.openPolicyStore({ ...config.policy, postgresUrl: postgresUrl! });
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
