/**
 * One suite for every store that holds buckets clients create
 * (`BucketCreationStore`): one claim per name across connections to the same
 * database, the owner's grant stored with the bucket, deletion of
 * client-created buckets only (with every grant on them), and the
 * per-account creation setting. Each test gets a fresh store.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { BucketConfig } from '../../src/core/config.ts';
import type { BucketCreationStore, WritablePolicyStore } from '../../src/policy/store.ts';

type Store = WritablePolicyStore & BucketCreationStore;

export interface ClientBucketFixture {
  store: Store;
  /** Another connection to the same database, as another process would open it. */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const AT = new Date('2030-01-01T00:00:00.000Z');
const made = (name: string, account: string): BucketConfig & { account: string } =>
  ({ name, account, connection: 'disk', prefix: `${name}/`, public: false, readOnly: false });

export function runClientBucketContract(kind: string, open: () => Promise<ClientBucketFixture>): void {
  const fresh = async (t: TestContext) => {
    const fixture = await open();
    t.after(() => fixture.cleanup());
    return fixture;
  };

  describe(`${kind} store: buckets clients create`, () => {
    it('claims a name once: created, then owned for the same account and taken for another, on any connection', async (t) => {
      const { store, reopen } = await fresh(t);
      const other = await reopen();
      assert.equal(await store.createClientBucket(made('photos', 'alice'), AT), 'created');
      assert.equal(await other.createClientBucket(made('photos', 'alice'), AT), 'owned');
      assert.equal(await other.createClientBucket(made('photos', 'bob'), AT), 'taken');
      assert.deepEqual(await other.getBucket('photos'), made('photos', 'alice'));
      assert.deepEqual(await other.getGrants('alice'), [{ bucket: 'photos', actions: ['read', 'write'] }]);
      assert.deepEqual(await other.getClientBucket('photos'), { name: 'photos', account: 'alice', createdAt: AT });
    });

    it('concurrent claims of one name by different accounts: exactly one is created', async (t) => {
      const { store, reopen } = await fresh(t);
      const stores = [store, await reopen(), await reopen()];
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]!.createClientBucket(made('contested', `acct-${i}`), AT)));
      assert.equal(outcomes.filter((o) => o === 'created').length, 1, outcomes.join(','));
      assert.equal(outcomes.filter((o) => o === 'taken').length, 11);
      assert.equal((await store.listBuckets()).filter((b) => b.name === 'contested').length, 1);
    });

    it('a name held by a bucket stored otherwise is taken, and that bucket is neither client-created nor deletable', async (t) => {
      const { store } = await fresh(t);
      await store.putBucket({ name: 'managed', connection: 'disk', prefix: 'managed/', public: false, readOnly: false });
      assert.equal(await store.createClientBucket(made('managed', 'alice'), AT), 'taken');
      assert.equal(await store.getClientBucket('managed'), null);
      assert.equal(await store.deleteClientBucket('managed', 'alice'), false);
      assert.ok(await store.getBucket('managed'));
    });

    it('deleting removes the bucket and every grant on it, only for its owner', async (t) => {
      const { store } = await fresh(t);
      await store.createClientBucket(made('photos', 'alice'), AT);
      await store.putAccount('bobby');
      await store.putGrant({ account: 'bobby', bucket: 'photos', actions: ['read'] });
      await store.putGrant({ account: 'bobby', bucket: 'elsewhere', actions: ['read'] });
      assert.equal(await store.deleteClientBucket('photos', 'bobby'), false);
      assert.equal(await store.deleteClientBucket('photos', 'alice'), true);
      assert.equal(await store.getBucket('photos'), null);
      assert.deepEqual(await store.getGrants('alice'), []);
      assert.deepEqual(await store.getGrants('bobby'), [{ bucket: 'elsewhere', actions: ['read'] }]);
      assert.equal(await store.deleteClientBucket('photos', 'alice'), false);
      // The name is free again, for anyone.
      assert.equal(await store.createClientBucket(made('photos', 'bobby'), AT), 'created');
    });

    it('bucket creation settings per account: set (creating the account), read back, cleared', async (t) => {
      const { store } = await fresh(t);
      assert.equal(await store.getBucketCreation('carol'), null);
      await store.setBucketCreation('carol', { connection: 'disk', prefix: '{account}/{bucket}/' });
      assert.ok((await store.listAccounts()).includes('carol'));
      assert.deepEqual(await store.getBucketCreation('carol'), { connection: 'disk', prefix: '{account}/{bucket}/' });
      await store.setBucketCreation('carol', null);
      assert.equal(await store.getBucketCreation('carol'), null);
      await assert.rejects(store.setBucketCreation('has space', null), TypeError);
    });
  });
}
