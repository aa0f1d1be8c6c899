/**
 * The D1 policy store against real D1 in workerd (Miniflare): the policy
 * store contract (every read path the gateway uses) over the binding, plus
 * migration (in code, and as the generated wrangler files), the refusal of a
 * database behind or ahead of the schema, the master key check and key
 * revocation, with the store's code running here and
 * reaching the database through Miniflare's proxy of the binding; and the
 * store bundled into a Worker and run inside workerd over its own `env.DB`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Miniflare } from 'miniflare';
import { D1PolicyStore } from '../../src/policy/d1/d1-store.ts';
import { D1SchemaNotMigratedError, D1_SCHEMA_VERSION, checkD1Schema, d1MigrationFiles, d1MigrationStep, migrateD1 } from '../../src/policy/d1/d1-schema.ts';
import type { D1Database } from '../../src/policy/d1/d1-types.ts';
import { MasterKeyMismatchError, SchemaVersionError } from '../../src/policy/sql/errors.ts';
import { importPolicyConfig } from '../../src/policy/sql/import-config.ts';
import { SQLITE_MIGRATIONS } from '../../src/policy/sql/sqlite-migrations.ts';
import { TEST_MASTER_KEY } from '../../src/policy/sqlite/test-support.ts';
import { runPolicyStoreContract } from '../contract/policy-store-contract.ts';
import { fileURLToPath } from 'node:url';
import { COMPATIBILITY_DATE, startWorker } from './workerd.ts';

let mf: Miniflare;
let db: D1Database;
const database = async (name: string) => (await mf.getD1Database(name)) as unknown as D1Database;
const TABLES = ['access_keys', 'accounts', 'buckets', 'grants', 'session_revocations'];

before(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("d1 test"); } }',
    compatibilityDate: COMPATIBILITY_DATE,
    // DB is migrated for the contract; the others each stay in one state of their own.
    d1Databases: ['DB', 'EMPTY', 'BEHIND', 'AHEAD', 'FROM_FILES'],
    host: '127.0.0.1',
    port: 0,
  });
  await mf.ready;
  db = await database('DB');
  await migrateD1(db);
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
  it('migrates once to the SQLite schema’s version, and migrating again changes nothing', async () => {
    assert.equal(D1_SCHEMA_VERSION, SQLITE_MIGRATIONS.length);
    assert.deepEqual(await migrateD1(db), { from: D1_SCHEMA_VERSION, to: D1_SCHEMA_VERSION });
    assert.equal((await db.prepare('SELECT version FROM d1_schema').first<{ version: number }>())?.version, D1_SCHEMA_VERSION);
    await checkD1Schema(db);
  });

  it('refuses to open a database without the schema, or behind it, saying how to migrate it; and one ahead of it', async () => {
    const empty = await database('EMPTY');
    const refusal = (found: number) => (error: unknown) => {
      assert.ok(error instanceof D1SchemaNotMigratedError);
      assert.equal(error.found, found);
      assert.match(error.message, found === 0 ? /has no Sluice schema yet/ : new RegExp(`has schema version ${found}, this Sluice needs ${D1_SCHEMA_VERSION}`));
      assert.match(error.message, /sluice d1 migrations DIR.*npx wrangler d1 migrations apply DATABASE --remote/);
      return true;
    };
    await assert.rejects(D1PolicyStore.open(empty, { masterKey: TEST_MASTER_KEY }), refusal(0));
    assert.equal(await empty.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").first(), null, 'opening writes nothing');

    const behind = await database('BEHIND');
    await behind.batch(d1MigrationStep(0).map((sql) => behind.prepare(sql)));
    await assert.rejects(D1PolicyStore.open(behind, { masterKey: TEST_MASTER_KEY }), refusal(1));

    const ahead = await database('AHEAD');
    await migrateD1(ahead);
    await ahead.prepare('UPDATE d1_schema SET version = ?').bind(D1_SCHEMA_VERSION + 1).run();
    await assert.rejects(D1PolicyStore.open(ahead, { masterKey: TEST_MASTER_KEY }), SchemaVersionError);
  });

  it('writes migration files that make the same schema as migrating in code, one file per step in order', async () => {
    const files = d1MigrationFiles();
    assert.deepEqual(files.map((f) => f.name), SQLITE_MIGRATIONS.map((_, i) => `${String(i + 1).padStart(4, '0')}_sluice_policy_v${i + 1}.sql`));
    const fromFiles = await database('FROM_FILES');
    for (const file of files) {
      // As a file runner would: statement by statement, comments dropped.
      const statements = file.sql.split('\n').filter((line) => !line.startsWith('--')).join('\n').split(';').map((s) => s.trim()).filter(Boolean);
      await fromFiles.batch(statements.map((sql) => fromFiles.prepare(sql)));
    }
    const schema = async (d: D1Database) => (await d.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY name").all()).results;
    assert.deepEqual(await schema(fromFiles), await schema(db));
    await checkD1Schema(fromFiles);
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

  it('revokes a key: its record says when, a second revocation keeps the first time, an unknown id is false', async (t) => {
    let now = new Date('2030-02-01T00:00:00Z');
    const store = await D1PolicyStore.open(db, { masterKey: TEST_MASTER_KEY, now: () => now });
    t.after(() => db.batch(TABLES.map((table) => db.prepare(`DELETE FROM ${table}`))));
    await store.putAccount('acme');
    await store.importAccessKey({ accessKeyId: 'SLAKD1REVOKEDAAAAAAA', secretAccessKey: 'a-secret-to-be-revoked', account: 'acme', label: '' });
    assert.equal(await store.revokeAccessKey('SLAKD1REVOKEDAAAAAAA'), true);
    now = new Date('2030-02-02T00:00:00Z');
    assert.equal(await store.revokeAccessKey('SLAKD1REVOKEDAAAAAAA'), true);
    assert.deepEqual((await store.getAccessKey('SLAKD1REVOKEDAAAAAAA'))?.revokedAt, new Date('2030-02-01T00:00:00Z'));
    assert.equal(await store.revokeAccessKey('SLAKD1NOSUCHKEYAAAAA'), false);
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
