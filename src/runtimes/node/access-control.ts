/**
 * Who may do what, for the Node server: the policy store (the config file,
 * over the SQLite store when one is configured), a TTL cache in front, SigV4
 * authentication with Node's fast crypto, and the grant-based access policy.
 */
import { accessKeySource } from '../../auth/credential-source.ts';
import { createSigV4Authenticator } from '../../auth/sigv4-authenticator.ts';
import { parseMasterKey } from '../../auth/secret-box.ts';
import { createGrantPolicy } from '../../authz/grant-policy.ts';
import type { Authenticator } from '../../core/authenticate.ts';
import type { AccessPolicy } from '../../core/access-policy.ts';
import type { SluiceConfig } from '../../core/config.ts';
import type { LogSink } from '../../core/runtime.ts';
import { CachedPolicyStore } from '../../policy/cached-store.ts';
import { ConfigPolicyStore } from '../../policy/config-store.ts';
import { LayeredPolicyStore } from '../../policy/layered-store.ts';
import { nodeSigV4Crypto } from './sigv4-crypto.ts';

/** "Last used" is a hint for humans: record it at most this often per key. */
const KEY_USE_INTERVAL_MS = 60_000;

export interface AccessControl {
  store: CachedPolicyStore;
  authenticate: Authenticator;
  policy: AccessPolicy;
  /**
   * Revoke a stored key from inside this process: it stops working at once
   * (its cache entry is dropped), not only after the TTL. False when the
   * SQLite store has no such key.
   */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function createAccessControl(config: SluiceConfig, log: LogSink): Promise<AccessControl> {
  const fixed = new ConfigPolicyStore(config);
  const { sqlitePath, cacheTtlSeconds } = config.policy;
  // Loaded only when configured: the native SQLite module is not needed otherwise.
  const managed = sqlitePath === undefined
    ? undefined
    : await (await import('../../policy/sqlite/sqlite-store.ts')).SqlitePolicyStore.open(sqlitePath, {
        masterKey: parseMasterKey(requireMasterKey(config)),
      });
  const store = new CachedPolicyStore(managed ? new LayeredPolicyStore(fixed, managed) : fixed, { ttlMs: cacheTtlSeconds * 1000 });

  const lastRecorded = new Map<string, number>();
  const onKeyUsed = (accessKeyId: string) => {
    if (!managed) return;
    const now = Date.now();
    if (now - (lastRecorded.get(accessKeyId) ?? 0) < KEY_USE_INTERVAL_MS) return;
    lastRecorded.set(accessKeyId, now);
    managed.recordKeyUse(accessKeyId, new Date(now)).catch((error: unknown) => {
      log.write({ level: 'warn', msg: 'could not record key use', accessKeyId, error: String(error) });
    });
  };

  return {
    store,
    authenticate: createSigV4Authenticator({
      sources: [accessKeySource(store, () => new Date(), onKeyUsed)],
      crypto: nodeSigV4Crypto,
      allowedRegions: config.server.allowedRegions,
    }),
    policy: createGrantPolicy(store, config.server.addressing),
    async revokeAccessKey(accessKeyId) {
      const revoked = (await managed?.revokeAccessKey(accessKeyId)) ?? false;
      store.invalidateAccessKey(accessKeyId);
      if (revoked) log.write({ level: 'info', msg: 'audit', event: 'access-key.revoked', accessKeyId });
      return revoked;
    },
    close: async () => managed?.close(),
  };
}

function requireMasterKey(config: SluiceConfig): string {
  const key = config.policy.masterKey;
  if (key === undefined) throw new TypeError('policy.sqlitePath needs policy.masterKey to encrypt stored secrets');
  return key;
}
