/**
 * Buckets clients create, in the SQLite store: the shared suite, and a
 * database from before these columns migrated with its data kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { BucketConfig } from '../../core/config.ts';
import { SQLITE_MIGRATIONS as MIGRATIONS } from '../sql/sqlite-migrations.ts';
import { tempSqliteStore, TEST_MASTER_KEY } from './test-support.ts';
import { SqlitePolicyStore } from './sqlite-store.ts';
import { runClientBucketContract } from '../../../test/contract/client-bucket-contract.ts';

const AT = new Date('2030-01-01T00:00:00.000Z');
const made = (name: string, account: string): BucketConfig & { account: string } =>
  ({ name, account, connection: 'disk', prefix: `${name}/`, public: false, readOnly: false });

runClientBucketContract('sqlite', async () => {
  const temp = await tempSqliteStore();
  return { store: temp.store, reopen: () => temp.reopen(), cleanup: temp.cleanup };
});

describe('SqlitePolicyStore client-created buckets', () => {
  it('a database of the previous schema version is migrated with its accounts and buckets kept', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('alice');
    await temp.store.putBucket({ name: 'old', connection: 'disk', prefix: 'old/', public: true, readOnly: false });
    await temp.store.close();
    // Back to the version before client-created buckets: drop what that step and the later ones added.
    const step = MIGRATIONS.findIndex((sql) => sql.includes('create_buckets'));
    const raw = new Database(temp.path);
    raw.exec('DROP TABLE session_keys; DROP TABLE identity_providers; ALTER TABLE accounts DROP COLUMN create_buckets; ALTER TABLE buckets DROP COLUMN created_at;');
    raw.pragma(`user_version = ${step}`);
    raw.close();
    const reopened = await SqlitePolicyStore.open(temp.path, { masterKey: TEST_MASTER_KEY });
    t.after(() => reopened.close());
    assert.deepEqual(await reopened.listAccounts(), ['alice']);
    assert.deepEqual(await reopened.getBucket('old'), { name: 'old', connection: 'disk', prefix: 'old/', public: true, readOnly: false });
    assert.equal(await reopened.getClientBucket('old'), null);
    assert.equal(await reopened.createClientBucket(made('fresh', 'alice'), AT), 'created');
  });
});
