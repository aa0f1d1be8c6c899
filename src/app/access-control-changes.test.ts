import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portableBackends } from '../backends/portable-registry.ts';
import { ChangeListeners } from '../policy/policy-change.ts';
import type { SharedCache } from '../policy/shared-cache.ts';
import type { AccessKeyRecord, WritablePolicyStore } from '../policy/store.ts';
import { testConfig } from '../../test/support/gateway-config.ts';
import { createAccessControl } from './access-control.ts';
import type { AppServices } from './services.ts';

const MASTER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const KEY: AccessKeyRecord = {
  accessKeyId: 'SLAKCHANGEFEEDAAAAAA', secretAccessKey: 'change-feed-secret-0123', account: 'research', label: '', status: 'active',
  createdAt: new Date('2024-01-01T00:00:00Z'),
};

/** A managed store with a change feed whose key can be revoked behind the cache's back. */
function storeWithFeed() {
  const feed = new ChangeListeners();
  let record: AccessKeyRecord = KEY;
  let closed = 0;
  const store = {
    getBucket: async () => null, getProduct: async () => null, listBuckets: async () => [], listProducts: async () => [],
    getGrants: async () => [],
    getAccessKey: async (id: string) => (id === KEY.accessKeyId ? record : null),
    recordKeyUse: async () => {},
    revokeAccessKey: async () => true,
    close: async () => void closed++,
    onChange: feed.onChange.bind(feed),
  };
  return {
    store: store as unknown as WritablePolicyStore,
    feed,
    revokeElsewhere: () => (record = { ...KEY, revokedAt: new Date('2024-06-01T00:00:00Z') }),
    closed: () => closed,
  };
}

function memoryCache() {
  const entries = new Map<string, string>();
  const deleted: string[] = [];
  let closed = false;
  const cache: SharedCache = {
    get: async (k) => entries.get(k) ?? null,
    set: async (k, v) => void entries.set(k, v),
    getField: async (h, f) => entries.get(`${h}#${f}`) ?? null,
    setField: async (h, f, v) => void entries.set(`${h}#${f}`, v),
    delete: async (...keys) => {
      deleted.push(...keys);
      for (const k of keys) entries.delete(k);
    },
    close: async () => void (closed = true),
  };
  return { cache, deleted, isClosed: () => closed };
}

function services(store: WritablePolicyStore, cache?: SharedCache): AppServices {
  return {
    runtime: { now: () => new Date('2024-05-01T00:00:00Z'), randomBytes: (b) => crypto.getRandomValues(b), log: { write: () => {} } },
    backends: portableBackends,
    httpClient: () => { throw new Error('no HTTP'); },
    openPolicyStore: async () => store,
    ...(cache && { openSharedCache: () => cache }),
  };
}

describe('access control with a store that announces changes', () => {
  it('drops a cached key as soon as the store announces its change, in this process and the shared cache', async () => {
    const managed = storeWithFeed();
    const shared = memoryCache();
    const config = testConfig({ buckets: [], policy: { postgresUrl: 'postgresql://db/sluice', redisUrl: 'redis://cache', masterKey: MASTER_KEY, cacheTtlSeconds: 60 } });
    const access = await createAccessControl(config, services(managed.store, shared.cache));
    assert.equal(access.sharedCache, shared.cache, 'offered to other caches');
    assert.equal((await access.store.getAccessKey(KEY.accessKeyId))?.revokedAt, undefined);
    managed.revokeElsewhere();
    assert.equal((await access.store.getAccessKey(KEY.accessKeyId))?.revokedAt, undefined, 'cached for the TTL without a notification');
    managed.feed.emit({ kind: 'access-key', accessKeyId: KEY.accessKeyId });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(shared.deleted, [`sluice:policy:v1:key:${KEY.accessKeyId}`]);
    assert.ok((await access.store.getAccessKey(KEY.accessKeyId))?.revokedAt, 'the revocation shows at once');
    await access.close();
    assert.equal(managed.closed(), 1);
    assert.ok(shared.isClosed());
    managed.feed.emit({ kind: 'all' });
  });

  it('applies a revoked session announced by the store at once, through the shared tier too', async () => {
    const managed = storeWithFeed();
    const entries: { kind: 'account'; value: string; revokedAt: Date; expiresAt: Date }[] = [];
    Object.assign(managed.store, { listSessionRevocations: async () => [...entries] });
    const shared = memoryCache();
    const config = testConfig({ buckets: [], policy: { postgresUrl: 'postgresql://db/sluice', redisUrl: 'redis://cache', masterKey: MASTER_KEY, cacheTtlSeconds: 60 } });
    const access = await createAccessControl(config, services(managed.store, shared.cache));
    const now = new Date('2024-05-01T00:00:00Z');
    assert.deepEqual(await access.store.listSessionRevocations(now), []);
    entries.push({ kind: 'account', value: 'research', revokedAt: now, expiresAt: new Date('2024-05-01T12:00:00Z') });
    assert.deepEqual(await access.store.listSessionRevocations(now), [], 'cached for the TTL without a notification');
    managed.feed.emit({ kind: 'session-revocations' });
    assert.deepEqual((await access.store.listSessionRevocations(now)).map((e) => e.value), ['research']);
    await access.close();
  });

  it('refuses a Redis URL on a runtime without a shared cache, closing the store it opened', async () => {
    const managed = storeWithFeed();
    const config = testConfig({ buckets: [], policy: { postgresUrl: 'postgresql://db/sluice', redisUrl: 'redis://cache', masterKey: MASTER_KEY } });
    await assert.rejects(createAccessControl(config, services(managed.store)), /policy.redisUrl is set, but this runtime has no shared cache/);
    assert.equal(managed.closed(), 1);
  });
});
