/**
 * The D1 policy store against real D1 in workerd (Miniflare): the policy
 * store contract (every read path the gateway uses) over the binding, plus
 * migration and the master key check, with the store's code running here and
 * reaching the database through Miniflare's proxy of the binding; and the
 * store bundled into a Worker and run inside workerd over its own `env.DB`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Miniflare } from 'miniflare';
import { D1PolicyStore, migrateD1 } from '../../src/policy/d1/d1-store.ts';
import type { D1Database } from '../../src/policy/d1/d1-types.ts';
import { MasterKeyMismatchError } from '../../src/policy/sql/errors.ts';
import { importPolicyConfig } from '../../src/policy/sql/import-config.ts';
import { SQLITE_MIGRATIONS } from '../../src/policy/sql/sqlite-migrations.ts';
import { TEST_MASTER_KEY } from '../../src/policy/sqlite/test-support.ts';
import { runPolicyStoreContract } from '../contract/policy-store-contract.ts';
import { fileURLToPath } from 'node:url';
import { COMPATIBILITY_DATE, startWorker } from './workerd.ts';

let mf: Miniflare;
let db: D1Database;
const TABLES = ['access_keys', 'accounts', 'buckets', 'grants', 'session_revocations'];

before(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("d1 test"); } }',
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: ['DB'],
    host: '127.0.0.1',
    port: 0,
  });
  await mf.ready;
  db = (await mf.getD1Database('DB')) as unknown as D1Database;
});
after(async () => {
  await mf?.dispose();
});

/** Fresh records for each test in the one database: the tables are emptied after it. */
runPolicyStoreContract('d1', async (seed) => {
  const store = await D1PolicyStore.open(db, { masterKey: TEST_MASTER_KEY });
  await importPolicyConfig(store, seed);
  return {
    store,
    async cleanup() {
      await db.batch(TABLES.map((table) => db.prepare(`DELETE FROM ${table}`)));
    },
  };
});

describe('D1 policy store', () => {
  it('migrates once to the SQLite schema’s version, and opening again changes nothing', async () => {
    await D1PolicyStore.open(db, { masterKey: TEST_MASTER_KEY });
    await migrateD1(db);
    assert.equal((await db.prepare('SELECT version FROM d1_schema').first<{ version: number }>())?.version, SQLITE_MIGRATIONS.length);
  });

  it('refuses another master key than the one the database was made with', async () => {
    await D1PolicyStore.open(db, { masterKey: TEST_MASTER_KEY });
    await assert.rejects(D1PolicyStore.open(db, { masterKey: new Uint8Array(32).fill(9) }), MasterKeyMismatchError);
  });

  it('keeps secrets sealed in the database and lists revoked sessions until they expire', async (t) => {
    const store = await D1PolicyStore.open(db, { masterKey: TEST_MASTER_KEY });
    t.after(() => db.batch(TABLES.map((table) => db.prepare(`DELETE FROM ${table}`))));
    await store.putAccount('acme');
    await store.importAccessKey({ accessKeyId: 'SLAKD1KEYAAAAAAAAAAA', secretAccessKey: 'd1-secret-that-stays-sealed', account: 'acme', label: '' });
    const row = await db.prepare('SELECT secret_ciphertext FROM access_keys').first<{ secret_ciphertext: string }>();
    assert.ok(row && !row.secret_ciphertext.includes('d1-secret-that-stays-sealed'));
    assert.equal((await store.getAccessKey('SLAKD1KEYAAAAAAAAAAA'))?.secretAccessKey, 'd1-secret-that-stays-sealed');
    await db.prepare('INSERT INTO session_revocations (kind, value, revoked_at, expires_at) VALUES (?, ?, ?, ?)')
      .bind('account', 'acme', '2030-01-01T00:00:00.000Z', '2030-01-01T12:00:00.000Z').run();
    assert.deepEqual(await store.listSessionRevocations(new Date('2030-01-01T06:00:00Z')), [
      { kind: 'account', value: 'acme', revokedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2030-01-01T12:00:00Z') },
    ]);
    assert.deepEqual(await store.listSessionRevocations(new Date('2030-01-01T12:00:00Z')), []);
  });
});

describe('D1 policy store inside workerd', () => {
  it('bundles into a Worker and answers the gateway’s lookups over env.DB', async (t) => {
    const worker = await startWorker(fileURLToPath(new URL('./d1-store-entry.ts', import.meta.url)), {}, { d1Databases: ['DB'] });
    t.after(() => worker.stop());
    const response = await fetch(`${worker.origin}/`);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.deepEqual(JSON.parse(text), {
      product: { name: 'maps', account: 'acme', connection: 'main', prefix: 'acme/maps/', public: false, readOnly: true },
      grants: [{ bucket: 'acme/maps', actions: ['read'], prefixes: ['tiles/'] }],
      secret: 'sealed-inside-workerd-0123',
      missing: null,
    });
  });
});
