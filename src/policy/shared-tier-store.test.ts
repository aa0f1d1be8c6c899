import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from '../auth/secret-box.ts';
import type { BucketConfig } from '../core/config.ts';
import { CachedPolicyStore } from './cached-store.ts';
import type { SharedCache } from './shared-cache.ts';
import { SharedTierPolicyStore } from './shared-tier-store.ts';
import type { AccessKeyRecord, PolicyStore } from './store.ts';

/** An in-memory shared cache whose outage can be switched on. */
class FakeSharedCache implements SharedCache {
  readonly entries = new Map<string, string>();
  down = false;
  private check() {
    if (this.down) throw new Error('connection refused');
  }
  async get(key: string) { this.check(); return this.entries.get(key) ?? null; }
  async set(key: string, value: string) { this.check(); this.entries.set(key, value); }
  async getField(hash: string, field: string) { this.check(); return this.entries.get(`${hash}#${field}`) ?? null; }
  async setField(hash: string, field: string, value: string) { this.check(); this.entries.set(`${hash}#${field}`, value); }
  async delete(...keys: string[]) {
    this.check();
    for (const name of [...this.entries.keys()]) if (keys.some((k) => name === k || name.startsWith(`${k}#`))) this.entries.delete(name);
  }
  async close() {}
}

const KEY: AccessKeyRecord = {
  accessKeyId: 'SLAKSHAREDAAAAAAAAAA', secretAccessKey: 'shared-secret-0123456789', account: 'acme', label: 'x',
  status: 'active', createdAt: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2099-01-01T00:00:00Z'),
};
const BUCKET: BucketConfig = { name: 'photos', connection: 'disk', prefix: '', public: false, readOnly: false };

/** A store that counts its lookups and can be changed. */
function countingStore() {
  const calls = { key: 0, bucket: 0, grants: 0 };
  let key: AccessKeyRecord | null = KEY;
  const store: PolicyStore = {
    getBucket: async () => (calls.bucket++, BUCKET),
    getProduct: async () => null,
    listBuckets: async () => [BUCKET],
    listProducts: async () => [],
    getGrants: async () => (calls.grants++, [{ bucket: 'photos', actions: ['read'] }]),
    getAccessKey: async () => (calls.key++, key),
  };
  return { store, calls, setKey: (k: AccessKeyRecord | null) => (key = k) };
}

const box = new SecretBox(new Uint8Array(32).fill(5));

function tier(inner: PolicyStore, cache: SharedCache, warnings: string[] = [], now = () => 1_000) {
  return new SharedTierPolicyStore(inner, cache, { ttlMs: 30_000, box, now, warn: (msg) => warnings.push(msg) });
}

describe('SharedTierPolicyStore', () => {
  it('answers a second instance from the shared cache, with dates intact and the secret sealed', async () => {
    const cache = new FakeSharedCache();
    const first = countingStore();
    assert.deepEqual(await tier(first.store, cache).getAccessKey(KEY.accessKeyId), KEY);
    const second = countingStore();
    const record = await tier(second.store, cache).getAccessKey(KEY.accessKeyId);
    assert.deepEqual(record, KEY);
    assert.ok(record?.expiresAt instanceof Date);
    assert.equal(second.calls.key, 0, 'the second instance did not ask its store');
    assert.ok([...cache.entries.values()].every((v) => !v.includes(KEY.secretAccessKey)));
    assert.deepEqual(await tier(second.store, cache).getBucket('photos'), BUCKET);
    assert.deepEqual(await tier(countingStore().store, cache).getGrants('acme'), [{ bucket: 'photos', actions: ['read'] }]);
  });

  it('treats an expired, foreign or tampered entry as a miss', async () => {
    const cache = new FakeSharedCache();
    await tier(countingStore().store, cache).getAccessKey(KEY.accessKeyId);
    const later = countingStore();
    await tier(later.store, cache, [], () => 1_000 + 30_001).getAccessKey(KEY.accessKeyId);
    assert.equal(later.calls.key, 1, 'expired');
    const name = [...cache.entries.keys()].find((k) => k.includes(':key:'))!;
    const other = countingStore();
    const otherBox = new SharedTierPolicyStore(other.store, cache, { ttlMs: 30_000, box: new SecretBox(new Uint8Array(32).fill(6)), now: () => 1_000, warn: () => {} });
    assert.deepEqual(await otherBox.getAccessKey(KEY.accessKeyId), KEY);
    assert.equal(other.calls.key, 1, 'sealed under another key');
    cache.entries.set(name, cache.entries.get(name)!.slice(0, -4) + 'AAAA');
    const third = countingStore();
    await tier(third.store, cache).getAccessKey(KEY.accessKeyId);
    assert.equal(third.calls.key, 1, 'tampered');
  });

  it('drops the entries a change names, so other instances read the store again', async () => {
    const cache = new FakeSharedCache();
    const { store, setKey } = countingStore();
    const a = tier(store, cache);
    await a.getAccessKey(KEY.accessKeyId);
    await a.getBucket('photos');
    setKey({ ...KEY, revokedAt: new Date('2026-06-01T00:00:00Z') });
    await a.applyChange({ kind: 'access-key', accessKeyId: KEY.accessKeyId });
    assert.equal((await tier(store, cache).getAccessKey(KEY.accessKeyId))?.revokedAt?.toISOString(), '2026-06-01T00:00:00.000Z');
    const b = countingStore();
    await a.applyChange({ kind: 'buckets' });
    await tier(b.store, cache).getBucket('photos');
    assert.equal(b.calls.bucket, 1);
  });

  it('survives an outage with one warning and answers from the store', async () => {
    const cache = new FakeSharedCache();
    cache.down = true;
    const warnings: string[] = [];
    const { store, calls } = countingStore();
    const shared = tier(store, cache, warnings);
    assert.deepEqual(await shared.getAccessKey(KEY.accessKeyId), KEY);
    assert.deepEqual(await shared.getBucket('photos'), BUCKET);
    await shared.applyChange({ kind: 'grants', account: 'acme' });
    assert.equal(calls.key, 1);
    assert.equal(warnings.length, 1, 'warned once per interval');
  });
});

describe('CachedPolicyStore.applyChange', () => {
  it('drops a revoked key and an account’s grants at once, and everything on "all"', async () => {
    const { store, calls, setKey } = countingStore();
    const cached = new CachedPolicyStore(store, { ttlMs: 60_000 });
    await cached.getAccessKey(KEY.accessKeyId);
    await cached.getGrants('acme');
    await cached.getBucket('photos');
    setKey(null);
    cached.applyChange({ kind: 'access-key', accessKeyId: KEY.accessKeyId });
    assert.equal(await cached.getAccessKey(KEY.accessKeyId), null);
    cached.applyChange({ kind: 'grants', account: 'acme' });
    await cached.getGrants('acme');
    assert.equal(calls.grants, 2);
    await cached.getBucket('photos');
    assert.equal(calls.bucket, 1, 'buckets untouched by a grants change');
    cached.applyChange({ kind: 'all' });
    await cached.getBucket('photos');
    assert.equal(calls.bucket, 2);
  });
});


describe('SharedTierPolicyStore and revoked sessions', () => {
  it('passes the store’s revoked sessions through, so a shared cache never hides a revocation', async () => {
    const revoked = { kind: 'role' as const, value: 'acme::role/deploy', revokedAt: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2099-01-01T00:00:00Z') };
    let asked: Date | undefined;
    const inner: PolicyStore = { ...countingStore().store, listSessionRevocations: async (now) => ((asked = now), [revoked]) };
    const shared = tier(inner, new FakeSharedCache());
    const at = new Date('2026-06-01T00:00:00Z');
    assert.deepEqual(await shared.listSessionRevocations?.(at), [revoked]);
    assert.equal(asked, at);
    // As the app stacks them: the per-process cache over the shared tier.
    assert.deepEqual(await new CachedPolicyStore(shared, { ttlMs: 30_000 }).listSessionRevocations(at), [revoked]);
  });
});
