/**
 * Who may do what: the policy store (the config file, layered over the
 * runtime's database store when one is configured), a TTL cache in front,
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
import { CachedPolicyStore } from '../policy/cached-store.ts';
import { ConfigPolicyStore } from '../policy/config-store.ts';
import { LayeredPolicyStore } from '../policy/layered-store.ts';
import type { WritablePolicyStore } from '../policy/store.ts';
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
  /**
   * Revoke a stored key from inside this process: it stops working at once
   * (its cache entry is dropped), not only after the TTL. False when the
   * managed store has no such key (or there is none).
   */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function createAccessControl(config: SluiceConfig, services: AppServices): Promise<AccessControl> {
  const { runtime } = services;
  const fixed = new ConfigPolicyStore(config, runtime.now());
  const managed = await openManagedStore(config, services);
  const store = new CachedPolicyStore(managed ? new LayeredPolicyStore(fixed, managed) : fixed, {
    ttlMs: config.policy.cacheTtlSeconds * 1000,
    now: () => runtime.now().getTime(),
  });

  return {
    store,
    ...(managed !== undefined && { managed }),
    authenticate: createSigV4Authenticator({
      sources: [accessKeySource(store, () => runtime.now(), managed ? keyUseRecorder(managed, runtime) : undefined)],
      now: () => runtime.now(),
      ...(services.sigv4Crypto !== undefined && { crypto: services.sigv4Crypto }),
      allowedRegions: config.server.allowedRegions,
    }),
    policy: createGrantPolicy(store, config.server.addressing),
    async revokeAccessKey(accessKeyId) {
      const revoked = (await managed?.revokeAccessKey(accessKeyId)) ?? false;
      store.invalidateAccessKey(accessKeyId);
      if (revoked) writeAudit(runtime, 'access-key.revoked', { accessKeyId });
      return revoked;
    },
    close: async () => managed?.close(),
  };
}

async function openManagedStore(config: SluiceConfig, services: AppServices): Promise<WritablePolicyStore | undefined> {
  const { sqlitePath } = config.policy;
  if (sqlitePath === undefined) return undefined;
  if (!services.openPolicyStore) throw new TypeError('policy.sqlitePath is set, but this runtime has no database policy store');
  return services.openPolicyStore({ ...config.policy, sqlitePath });
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
