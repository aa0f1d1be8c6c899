import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { generateIssuerKey } from '../../oidc/issuer/issuer-keys.ts';
import { newRevocation } from '../../sts/session-revocation.ts';
import { rotateSessionSecret } from '../../sts/stored-session-keys.ts';
import { CachedApiKeyRecords } from '../../sts/api-key-exchange.ts';
import { CachedPolicyStore } from '../cached-store.ts';
import { MasterKeyMismatchError, OutboundSecretUnreadableError, SchemaVersionError, UnknownAccountError } from '../sql/errors.ts';
import type { PolicyChange } from '../policy-change.ts';
import { PostgresPolicyStore } from './postgres-store.ts';
import { POSTGRES_SCHEMA_VERSION, SchemaNotMigratedError, migratePostgres, schemaVersion } from './schema.ts';
import { POSTGRES_SKIP_REASON, TEST_MASTER_KEY, migrateUrl, stopTestCluster, tempPostgresStore, testCluster } from './postgres-store.test-helper.ts';

if (POSTGRES_SKIP_REASON) console.log(`# skipping the PostgreSQL store tests: ${POSTGRES_SKIP_REASON}`);

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Collects a store's change notifications; `next` waits (bounded) for one matching `match`. */
function recorder(store: PostgresPolicyStore) {
  const seen: PolicyChange[] = [];
  const waiters: { match: (c: PolicyChange) => boolean; resolve: (c: PolicyChange) => void }[] = [];
  store.onChange((change) => {
    seen.push(change);
    for (const w of [...waiters]) if (w.match(change)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(change); }
  });
  return {
    seen,
    next(match: (c: PolicyChange) => boolean, timeoutMs = 1000): Promise<PolicyChange> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching change within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs);
        waiters.push({ match, resolve: (c) => { clearTimeout(timer); resolve(c); } });
      });
    },
  };
}

describe('PostgreSQL policy store', { skip: POSTGRES_SKIP_REASON }, () => {
  before(async () => { await testCluster(); });
  after(stopTestCluster);

  describe('schema versions', () => {
    it('refuses an unmigrated database and names the command that migrates it', async () => {
      const cluster = await testCluster();
      const url = cluster.url(await cluster.createDatabase());
      await assert.rejects(PostgresPolicyStore.open(url, { masterKey: TEST_MASTER_KEY }), (error: unknown) => {
        assert.ok(error instanceof SchemaNotMigratedError);
        assert.match(error.message, /sluice db migrate --config/);
        return true;
      });
    });

    it('refuses a database migrated by a newer Sluice, and migrating does not touch it', async () => {
      const cluster = await testCluster();
      const url = cluster.url(await cluster.createDatabase());
      await migrateUrl(url);
      await sql(url, 'UPDATE sluice_schema SET version = $1', [POSTGRES_SCHEMA_VERSION + 1]);
      await assert.rejects(PostgresPolicyStore.open(url, { masterKey: TEST_MASTER_KEY }), SchemaVersionError);
      await assert.rejects(migrateUrl(url), SchemaVersionError);
      assert.equal((await sql(url, 'SELECT version FROM sluice_schema')).rows[0].version, POSTGRES_SCHEMA_VERSION + 1);
    });

    it('migrates once when several runs start together, and again is a no-op', async () => {
      const cluster = await testCluster();
      const url = cluster.url(await cluster.createDatabase());
      const clients = await Promise.all([1, 2, 3].map(async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        return client;
      }));
      try {
        const results = await Promise.all(clients.map((c) => migratePostgres(c, 'test')));
        assert.deepEqual(results.map((r) => r.to), [POSTGRES_SCHEMA_VERSION, POSTGRES_SCHEMA_VERSION, POSTGRES_SCHEMA_VERSION]);
        assert.equal(results.filter((r) => r.from === 0).length, 1, 'exactly one run applied the steps');
        assert.deepEqual(await migratePostgres(clients[0]!, 'test'), { from: POSTGRES_SCHEMA_VERSION, to: POSTGRES_SCHEMA_VERSION });
        assert.equal(await schemaVersion(clients[0]!), POSTGRES_SCHEMA_VERSION);
      } finally {
        for (const c of clients) await c.end();
      }
    });
  });

  it('refuses another master key than the one the database was created with', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    await assert.rejects(temp.reopen({ masterKey: new Uint8Array(32).fill(9) }), MasterKeyMismatchError);
  });

  it('stores secrets sealed, never in plaintext', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    await temp.store.putAccount('acme');
    const { accessKeyId, secretAccessKey } = await temp.store.createAccessKey({ account: 'acme', label: 'ci' });
    const row = (await sql(temp.url, 'SELECT secret_ciphertext FROM access_keys WHERE id = $1', [accessKeyId])).rows[0];
    assert.ok(!row.secret_ciphertext.includes(secretAccessKey));
    assert.equal((await temp.store.getAccessKey(accessKeyId))?.secretAccessKey, secretAccessKey);
  });

  it('manages accounts, grants, buckets and keys, seen at once by another instance', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    const other = await temp.reopen();
    const { store } = temp;
    await assert.rejects(store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'] }), UnknownAccountError);
    await store.putAccount('acme');
    await store.putAccount('acme');
    assert.deepEqual(await other.listAccounts(), ['acme']);
    await store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'] });
    await store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read', 'write'], prefixes: ['a/'] });
    assert.deepEqual(await other.getGrants('acme'), [{ bucket: 'photos', actions: ['read', 'write'], prefixes: ['a/'] }]);
    assert.equal(await store.removeGrant('acme', 'photos'), true);
    assert.equal(await store.removeGrant('acme', 'photos'), false);
    await store.putBucket({ name: 'photos', connection: 'disk', prefix: 'p', public: false, readOnly: false });
    assert.deepEqual(await other.getBucket('photos'), { name: 'photos', connection: 'disk', prefix: 'p', public: false, readOnly: false });
    assert.equal(await store.removeBucket('photos'), true);
    assert.equal(await other.getBucket('photos'), null);

    const created = await store.createAccessKey({ account: 'acme', label: 'ci', expiresAt: new Date('2099-01-01T00:00:00Z') });
    assert.deepEqual((await other.listAccessKeys({ account: 'acme' })).map((k) => k.accessKeyId), [created.accessKeyId]);
    const revokedAt = new Date();
    assert.equal(await other.revokeAccessKey(created.accessKeyId), true);
    assert.equal(await other.revokeAccessKey('SLAKNOSUCHKEYAAAAAAA'), false);
    const record = await store.getAccessKey(created.accessKeyId);
    assert.ok(record?.revokedAt && Math.abs(record.revokedAt.getTime() - revokedAt.getTime()) < 5000);
    await store.recordKeyUse(created.accessKeyId, new Date('2030-01-01T00:00:00Z'));
    await store.recordKeyUse(created.accessKeyId, new Date('2029-01-01T00:00:00Z'));
    assert.equal((await other.getAccessKeySummary(created.accessKeyId))?.lastUsedAt?.toISOString(), '2030-01-01T00:00:00.000Z');
  });

  describe('change notifications', () => {
    it('announces a revocation, a grant change and a bucket change made by another instance within a second', async (t) => {
      const temp = await tempPostgresStore();
      t.after(temp.cleanup);
      const writer = await temp.reopen({ listen: false });
      await writer.putAccount('acme');
      const { accessKeyId } = await writer.createAccessKey({ account: 'acme', label: 'ci' });
      const changes = recorder(temp.store);

      await writer.revokeAccessKey(accessKeyId);
      await changes.next((c) => c.kind === 'access-key' && c.accessKeyId === accessKeyId);
      await writer.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'] });
      await changes.next((c) => c.kind === 'grants' && c.account === 'acme');
      await writer.putBucket({ name: 'photos', connection: 'disk', prefix: '', public: false, readOnly: false });
      await changes.next((c) => c.kind === 'buckets');
    });

    it('announces changes made with plain SQL, and not a key’s "last used" time', async (t) => {
      const temp = await tempPostgresStore();
      t.after(temp.cleanup);
      const changes = recorder(temp.store);
      await temp.store.putAccount('acme');
      const { accessKeyId } = await temp.store.createAccessKey({ account: 'acme', label: 'ci' });
      // The creation's own announcement may arrive late: wait for it, then count from here.
      await changes.next((c) => c.kind === 'access-key');
      changes.seen.length = 0;
      await temp.store.recordKeyUse(accessKeyId, new Date());
      await sql(temp.url, `UPDATE access_keys SET status = 'disabled' WHERE id = $1`, [accessKeyId]);
      await changes.next((c) => c.kind === 'access-key');
      assert.equal(changes.seen.filter((c) => c.kind === 'access-key').length, 1, 'recording use announced nothing');
    });

    it('after losing its connection says "all" changed, reconnects and announces again', async (t) => {
      const temp = await tempPostgresStore(undefined, {});
      t.after(temp.cleanup);
      await temp.store.putAccount('acme');
      const changes = recorder(temp.store);
      await sql(temp.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()`);
      await changes.next((c) => c.kind === 'all', 5000);
      // The feed is back once a later change arrives; retry the write until it does (bounded).
      const deadline = Date.now() + 10_000;
      for (let i = 0; ; i++) {
        await temp.store.putGrant({ account: 'acme', bucket: `b${i}`, actions: ['read'] });
        try {
          await changes.next((c) => c.kind === 'grants', 300);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
      }
    });
  });
});

describe('PostgreSQL policy store: roles, revoked sessions, API keys, identity providers and outbound secrets', { skip: POSTGRES_SKIP_REASON }, () => {
  after(stopTestCluster);

  it('announces a revocation and a role change made by another instance, and the policy cache applies the revocation at once', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    const writer = await temp.reopen({ listen: false });
    const changes = recorder(temp.store);
    // An hour's TTL: only the notification can make the revocation show.
    const cached = new CachedPolicyStore(temp.store, { ttlMs: 3_600_000 });
    temp.store.onChange((change) => cached.applyChange(change));
    const now = new Date();
    assert.deepEqual(await cached.listSessionRevocations(now), []);

    const entry = newRevocation('role', 'acme::role/deploy', now);
    await writer.addSessionRevocation(entry);
    await changes.next((c) => c.kind === 'session-revocations');
    assert.deepEqual(await cached.listSessionRevocations(now), [entry]);

    await writer.putRoleDefinition('acme', 'deploy', { account: 'acme', name: 'deploy' });
    await changes.next((c) => c.kind === 'role' && c.account === 'acme' && c.name === 'deploy');
    await sql(temp.url, `DELETE FROM roles WHERE account = 'acme'`);
    changes.seen.length = 0;
    await writer.deleteRoleDefinition('acme', 'none');
    await sql(temp.url, `INSERT INTO roles (account, name, definition, updated_at) VALUES ('globex', 'r', '{}', now())`);
    await changes.next((c) => c.kind === 'role' && c.account === 'globex');
    assert.equal(changes.seen.filter((c) => c.kind === 'role' && c.account === 'acme').length, 0, 'deleting nothing announced nothing');
  });

  it('announces API key records and registered identity providers changed by another instance, and not a second revocation', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    const writer = await temp.reopen({ listen: false });
    const changes = recorder(temp.store);
    // An hour's TTL: only the notification can make the revocation show.
    const records = new CachedApiKeyRecords(temp.store, { ttlMs: 3_600_000, now: () => Date.now() });
    temp.store.onChange((change) => { if (change.kind === 'api-key') records.invalidate(change.jti); });
    await writer.putAccount('acme');
    const jti = 'c'.repeat(32);
    await writer.addApiKey({ jti, account: 'acme', label: 'ci', createdAt: new Date() });
    await changes.next((c) => c.kind === 'api-key' && c.jti === jti);
    assert.equal((await records.get(jti))?.revokedAt, undefined);
    await writer.revokeApiKey(jti);
    const deadline = Date.now() + 1000;
    while ((await records.get(jti))?.revokedAt === undefined) {
      assert.ok(Date.now() < deadline, 'the revocation reached the cached record within a second');
      await new Promise((r) => setTimeout(r, 10));
    }
    changes.seen.length = 0;
    await writer.revokeApiKey(jti);
    await writer.addIdentityProvider({ account: 'acme', id: 'gitlab', issuer: 'https://gitlab.example', audiences: ['sluice'], claims: 'generic', local: false, createdAt: new Date() });
    await changes.next((c) => c.kind === 'identity-providers' && c.account === 'acme');
    assert.equal(changes.seen.filter((c) => c.kind === 'api-key').length, 0, 'revoking again changed nothing and announced nothing');
    changes.seen.length = 0;
    await sql(temp.url, `UPDATE identity_providers SET account = 'globex' WHERE account = 'acme'`);
    await changes.next((c) => c.kind === 'identity-providers' && c.account === 'globex');
    await changes.next((c) => c.kind === 'identity-providers' && c.account === 'acme');
    changes.seen.length = 0;
    assert.equal(await writer.deleteIdentityProvider('globex', 'gitlab'), true);
    await changes.next((c) => c.kind === 'identity-providers' && c.account === 'globex');
  });

  it('announces a session key rotation, so servers read the new version at once', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    const writer = await temp.reopen({ listen: false });
    const changes = recorder(temp.store);
    await rotateSessionSecret(writer.sessionKeys, new Date());
    await changes.next((c) => c.kind === 'session-keys');
    const stored = JSON.stringify((await sql(temp.url, 'SELECT * FROM session_keys')).rows);
    const [key] = await temp.store.sessionKeys.sessionKeys();
    assert.ok(key && !stored.includes(key.hmacSecret) && !stored.includes(key.privateKeyPem.split('\n')[1]!), 'sealed in the database');
  });

  it('keeps issuer keys and connection secrets sealed in the database', async (t) => {
    const temp = await tempPostgresStore();
    t.after(temp.cleanup);
    const { key, pem } = await generateIssuerKey('ES256');
    await temp.store.outbound.addIssuerKey({ kid: key.kid, alg: 'ES256', status: 'active', createdAt: new Date(0), privateKeyPem: pem });
    const secret = 'ConnectionSecretThatMustNotAppearInRows1';
    await temp.store.outbound.setConnectionCredentials('remote', { accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: secret, sessionToken: 'SessionTokenNotInRows' });
    const rows = JSON.stringify([
      (await sql(temp.url, 'SELECT * FROM issuer_keys')).rows,
      (await sql(temp.url, 'SELECT * FROM connection_credentials')).rows,
    ]);
    assert.ok(rows.includes(key.kid) && rows.includes('AKIAREMOTEEXAMPLE000'), 'the right rows were read');
    for (const plain of [pem.split('\n')[1]!, secret, 'SessionTokenNotInRows']) assert.equal(rows.includes(plain), false);
    // A ciphertext is bound to its row: moved to another, it does not open.
    await temp.store.outbound.setConnectionCredentials('other', { accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: 'other' });
    await sql(temp.url, `UPDATE connection_credentials SET secret_ciphertext = (SELECT secret_ciphertext FROM connection_credentials WHERE connection = 'remote') WHERE connection = 'other'`);
    await assert.rejects(temp.store.outbound.connectionCredentials('other'), (error: unknown) =>
      error instanceof OutboundSecretUnreadableError && error.message.includes('connection other') && !error.message.includes(secret));
  });
});
