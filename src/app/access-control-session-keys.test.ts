/**
 * The app's STS with session keys kept in the policy store: the server
 * reads them through a cache with the policy TTL, so a rotation made by
 * `sluice sessions rotate-secret` in another process is used for new
 * sessions within the TTL, without a restart, and old sessions keep working.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portableBackends } from '../backends/portable-registry.ts';
import type { SluiceConfig } from '../core/config.ts';
import { tempSqliteStore } from '../policy/sqlite/test-support.ts';
import { mintSessionCredentials } from '../sts/mint-session.ts';
import { sessionKeyVersion } from '../sts/session-access-key.ts';
import { rotateSessionSecret } from '../sts/stored-session-keys.ts';
import { testConfig } from '../../test/support/gateway-config.ts';
import { createAccessControl } from './access-control.ts';

describe('access control with session keys in the policy store', () => {
  it('uses the store’s newest version within the cache TTL of a rotation made elsewhere; older sessions still verify', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    let now = new Date('2030-01-01T00:00:00Z');
    await rotateSessionSecret(temp.store.sessionKeys, now);
    const config: SluiceConfig = {
      ...testConfig({ buckets: [], policy: { sqlitePath: temp.path, cacheTtlSeconds: 30 } }),
      sts: { identityProviders: [], sessions: { audience: 'sluice-session', issuer: 'sluice' }, roles: [] },
    };
    const access = await createAccessControl(config, {
      runtime: { now: () => now, randomBytes: (b) => crypto.getRandomValues(b), log: { write: () => {} } },
      backends: portableBackends,
      httpClient: () => { throw new Error('no HTTP'); },
      fetch: async () => { throw new Error('no identity provider here'); },
      openPolicyStore: async () => temp.reopen({ now: () => now }),
    });
    t.after(() => access.close());
    const sts = access.sts!;
    const mint = async () => mintSessionCredentials(await sts.keyring.current(), {
      role: { account: 'acme', name: 'r', bindings: [], permissions: [], ceiling: [{ bucket: 'b', actions: ['read'] }], maxSessionDurationSeconds: 3600 },
      sessionName: 's', assumedBy: 'x', assumedByIssuer: 'https://issuer', durationSeconds: 3600, now, random: (b) => crypto.getRandomValues(b),
    });
    const before = await mint();
    assert.equal(sessionKeyVersion(before.accessKeyId), 1);

    now = new Date(now.getTime() + 1000);
    await rotateSessionSecret(temp.store.sessionKeys, now);
    assert.equal(sessionKeyVersion((await mint()).accessKeyId), 1, 'cached for the TTL');
    now = new Date(now.getTime() + 30_000);
    const after = await mint();
    assert.equal(sessionKeyVersion(after.accessKeyId), 2, 'picked up without a restart');
    for (const issued of [before, after]) {
      const resolved = await sts.credentialSource.resolve(issued.accessKeyId, issued.sessionToken);
      assert.equal(resolved?.secretAccessKey, issued.secretAccessKey);
    }
  });
});
