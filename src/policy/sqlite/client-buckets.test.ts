/**
 * Buckets clients create, in the SQLite store: one claim per name across
 * connections to the same file, the owner's grant stored with the bucket,
 * deletion of client-created buckets only (with every grant on them), the
 * per-account creation setting, and a database from before these columns
 * migrated with its data kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { BucketConfig } from '../../core/config.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { tempSqliteStore, TEST_MASTER_KEY } from './test-support.ts';
import { SqlitePolicyStore } from './sqlite-store.ts';

const AT = new Date('2030-01-01T00:00:00.000Z');
const made = (name: string, account: string): BucketConfig & { account: string } =>
  ({ name, account, connection: 'disk', prefix: `${name}/`, public: false, readOnly: false });

describe('SqlitePolicyStore client-created buckets', () => {
  it('claims a name once: created, then owned for the same account and taken for another, on any connection to the file', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    const other = await temp.reopen();
    assert.equal(await temp.store.createClientBucket(made('photos', 'alice'), AT), 'created');
    assert.equal(await other.createClientBucket(made('photos', 'alice'), AT), 'owned');
    assert.equal(await other.createClientBucket(made('photos', 'bob'), AT), 'taken');
    assert.deepEqual(await other.getBucket('photos'), made('photos', 'alice'));
    assert.deepEqual(await other.getGrants('alice'), [{ bucket: 'photos', actions: ['read', 'write'] }]);
    assert.deepEqual(await other.getClientBucket('photos'), { name: 'photos', account: 'alice', createdAt: AT });
  });

  it('a name held by a bucket stored otherwise is taken, and that bucket is neither client-created nor deletable', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putBucket({ name: 'managed', connection: 'disk', prefix: 'managed/', public: false, readOnly: false });
    assert.equal(await temp.store.createClientBucket(made('managed', 'alice'), AT), 'taken');
    assert.equal(await temp.store.getClientBucket('managed'), null);
    assert.equal(await temp.store.deleteClientBucket('managed', 'alice'), false);
    assert.ok(await temp.store.getBucket('managed'));
  });

  it('deleting removes the bucket and every grant on it, only for its owner', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    const { store } = temp;
    await store.createClientBucket(made('photos', 'alice'), AT);
    await store.putAccount('bob');
    await store.putGrant({ account: 'bob', bucket: 'photos', actions: ['read'] });
    await store.putGrant({ account: 'bob', bucket: 'elsewhere', actions: ['read'] });
    assert.equal(await store.deleteClientBucket('photos', 'bob'), false);
    assert.equal(await store.deleteClientBucket('photos', 'alice'), true);
    assert.equal(await store.getBucket('photos'), null);
    assert.deepEqual(await store.getGrants('alice'), []);
    assert.deepEqual(await store.getGrants('bob'), [{ bucket: 'elsewhere', actions: ['read'] }]);
    assert.equal(await store.deleteClientBucket('photos', 'alice'), false);
    // The name is free again, for anyone.
    assert.equal(await store.createClientBucket(made('photos', 'bob'), AT), 'created');
  });

  it('bucket creation settings per account: set (creating the account), read back, cleared', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    const { store } = temp;
    assert.equal(await store.getBucketCreation('carol'), null);
    await store.setBucketCreation('carol', { connection: 'disk', prefix: '{account}/{bucket}/' });
    assert.deepEqual(await store.listAccounts(), ['carol']);
    assert.deepEqual(await store.getBucketCreation('carol'), { connection: 'disk', prefix: '{account}/{bucket}/' });
    await store.setBucketCreation('carol', null);
    assert.equal(await store.getBucketCreation('carol'), null);
    await assert.rejects(store.setBucketCreation('has space', null), TypeError);
  });

  it('a database of the previous schema version is migrated with its accounts and buckets kept', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('alice');
    await temp.store.putBucket({ name: 'old', connection: 'disk', prefix: 'old/', public: true, readOnly: false });
    await temp.store.close();
    // Back to the version before: drop the columns this version added.
    const raw = new Database(temp.path);
    raw.exec('ALTER TABLE accounts DROP COLUMN create_buckets; ALTER TABLE buckets DROP COLUMN created_at;');
    raw.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    raw.close();
    const reopened = await SqlitePolicyStore.open(temp.path, { masterKey: TEST_MASTER_KEY });
    t.after(() => reopened.close());
    assert.deepEqual(await reopened.listAccounts(), ['alice']);
    assert.deepEqual(await reopened.getBucket('old'), { name: 'old', connection: 'disk', prefix: 'old/', public: true, readOnly: false });
    assert.equal(await reopened.getClientBucket('old'), null);
    assert.equal(await reopened.createClientBucket(made('fresh', 'alice'), AT), 'created');
  });
});
