/**
 * The SQLite store as a file shared between processes: what is on disk,
 * which master key opens it, what a second connection sees, schema versions.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { keyUsability } from '../store.ts';
import { MasterKeyMismatchError, SchemaVersionError, SecretUnreadableError } from '../sql/errors.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqlitePolicyStore } from './sqlite-store.ts';
import { TEST_MASTER_KEY, tempSqliteStore } from './test-support.ts';

async function filesInDir(dir: string): Promise<string> {
  const names = await readdir(dir);
  const contents = await Promise.all(names.map((name) => readFile(join(dir, name))));
  return contents.map((bytes) => bytes.toString('latin1')).join('\n');
}

function rawConnection(path: string, t: { after(fn: () => void): void }): Database.Database {
  const db = new Database(path);
  t.after(() => db.close());
  return db;
}

describe('SqlitePolicyStore on disk', () => {
  it('never writes a secret in plaintext, to the database or its write-ahead log', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const created = await temp.store.createAccessKey({ account: 'acme', label: 'plain-label' });
    const imported = 'ImportedSecretThatMustNotAppearOnDisk123';
    await temp.store.importAccessKey({ accessKeyId: 'SLAKIMPORTEDAAAAAAAA', secretAccessKey: imported, account: 'acme', label: 'l' });

    const whileOpen = await filesInDir(temp.dir);
    assert.ok(whileOpen.includes(created.accessKeyId), 'the key id is on disk, so the bytes read are the right ones');
    await temp.store.close();
    const afterClose = await filesInDir(temp.dir);
    assert.ok(afterClose.includes('plain-label'));
    for (const bytes of [whileOpen, afterClose]) {
      assert.equal(bytes.includes(created.secretAccessKey), false);
      assert.equal(bytes.includes(imported), false);
      assert.equal(bytes.includes(Buffer.from(imported).toString('base64').slice(0, 20)), false);
    }
  });

  it('creates the database readable by its owner only', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    for (const name of await readdir(temp.dir)) {
      assert.equal((await stat(join(temp.dir, name))).mode & 0o777, 0o600, name);
    }
  });

  it('refuses to open with another master key, leaving the data as it was', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const { accessKeyId, secretAccessKey } = await temp.store.createAccessKey({ account: 'acme', label: 'x' });
    await temp.store.close();

    await assert.rejects(
      SqlitePolicyStore.open(temp.path, { masterKey: new Uint8Array(32).fill(8) }),
      (error: unknown) => error instanceof MasterKeyMismatchError && /master key does not match/.test(error.message) && error.message.includes(temp.path),
    );
    const again = await temp.reopen({ masterKey: TEST_MASTER_KEY });
    assert.equal((await again.getAccessKey(accessKeyId))?.secretAccessKey, secretAccessKey);
  });

  it('fails closed when a stored secret will not decrypt, rather than reporting no key', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const a = await temp.store.createAccessKey({ account: 'acme', label: 'a' });
    const b = await temp.store.createAccessKey({ account: 'acme', label: 'b' });
    // Move b's sealed secret onto a's row: it is bound to b's id, so a's lookup must not accept it.
    const raw = rawConnection(temp.path, t);
    raw.prepare('UPDATE access_keys SET secret_ciphertext = (SELECT secret_ciphertext FROM access_keys WHERE id = ?) WHERE id = ?').run(b.accessKeyId, a.accessKeyId);
    await assert.rejects(temp.store.getAccessKey(a.accessKeyId), (error: unknown) => {
      assert.ok(error instanceof SecretUnreadableError);
      assert.equal(error.accessKeyId, a.accessKeyId);
      assert.match(error.message, /cannot be decrypted/);
      assert.equal(error.message.includes(b.secretAccessKey), false);
      return true;
    });
    raw.prepare("UPDATE access_keys SET secret_ciphertext = 'v1.AAAA' WHERE id = ?").run(b.accessKeyId);
    await assert.rejects(temp.store.getAccessKey(b.accessKeyId), SecretUnreadableError);
  });

  it('shows a revocation to another connection on the same file at once', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const server = await temp.reopen();
    const { accessKeyId } = await temp.store.createAccessKey({ account: 'acme', label: 'x' });
    const before = await server.getAccessKey(accessKeyId);
    assert.equal(keyUsability(before!, new Date()), 'usable');

    assert.equal(await temp.store.revokeAccessKey(accessKeyId), true);
    const after = await server.getAccessKey(accessKeyId);
    assert.ok(after?.revokedAt instanceof Date);
    assert.equal(keyUsability(after, new Date()), 'revoked');
  });

  it('keeps accounts, grants, buckets and keys across reopening', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    await temp.store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'], prefixes: ['pub'] });
    await temp.store.putBucket({ name: 'photos', connection: 'disk', prefix: 'p', public: true, readOnly: false });
    const { accessKeyId, secretAccessKey } = await temp.store.createAccessKey({ account: 'acme', label: 'kept' });
    await temp.store.close();

    const reopened = await temp.reopen();
    assert.deepEqual(await reopened.listAccounts(), ['acme']);
    assert.deepEqual(await reopened.getGrants('acme'), [{ bucket: 'photos', actions: ['read'], prefixes: ['pub'] }]);
    assert.deepEqual(await reopened.getBucket('photos'), { name: 'photos', connection: 'disk', prefix: 'p', public: true, readOnly: false });
    const record = await reopened.getAccessKey(accessKeyId);
    assert.equal(record?.secretAccessKey, secretAccessKey);
    assert.equal(record?.label, 'kept');
  });

  it('records its schema version and write-ahead logging in the file', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    assert.ok(SCHEMA_VERSION >= 1);
    const raw = rawConnection(temp.path, t);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    assert.deepEqual(tables, ['access_keys', 'accounts', 'api_keys', 'buckets', 'connection_credentials', 'grants', 'identity_providers', 'issuer_keys', 'meta', 'roles', 'session_keys', 'session_revocations']);
  });

  it('refuses a database from a newer version instead of guessing at its schema', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.close();
    const raw = new Database(temp.path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    await assert.rejects(temp.reopen(), (error: unknown) =>
      error instanceof SchemaVersionError && error.message.includes(`schema version ${SCHEMA_VERSION + 1}`));
  });

  it('waits for another writer’s lock, then reports the busy database', async (t) => {
    const temp = await tempSqliteStore(undefined, { busyTimeoutMs: 150 });
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const { accessKeyId } = await temp.store.createAccessKey({ account: 'acme', label: 'x' });
    const raw = rawConnection(temp.path, t);
    raw.exec('BEGIN IMMEDIATE'); // closing the connection rolls it back if the test stops early
    const started = performance.now();
    await assert.rejects(temp.store.revokeAccessKey(accessKeyId), (error: unknown) => (error as { code?: string }).code === 'SQLITE_BUSY');
    assert.ok(performance.now() - started >= 120, 'the store waited for the lock');
    // Readers are not blocked by a writer in WAL mode.
    assert.equal((await temp.store.getAccessKey(accessKeyId))?.revokedAt, undefined);
    raw.exec('ROLLBACK');
    assert.equal(await temp.store.revokeAccessKey(accessKeyId), true);
  });
});
