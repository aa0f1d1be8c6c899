import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { isAccessKeyId } from '../../auth/access-key-ids.ts';
import type { BucketConfig } from '../../core/config.ts';
import { keyUsability } from '../store.ts';
import { DuplicateAccessKeyError, UnknownAccountError } from '../sql/errors.ts';
import { importPolicyConfig } from '../sql/import-config.ts';
import { tempSqliteStore } from './test-support.ts';

/** A store with a clock the test moves, and the account `acme`. */
async function storeWithClock(t: TestContext, accountExists?: (name: string) => boolean) {
  let now = new Date('2030-01-01T00:00:00.000Z');
  const temp = await tempSqliteStore(undefined, { now: () => now, ...(accountExists ? { accountExists } : {}) });
  t.after(temp.cleanup);
  await temp.store.putAccount('acme');
  return { ...temp, setNow: (iso: string) => (now = new Date(iso)) };
}

describe('SqlitePolicyStore access keys', () => {
  it('creates a key with a fresh SLAK id and secret, stores the secret readable only through getAccessKey', async (t) => {
    const { store } = await storeWithClock(t);
    const created = await store.createAccessKey({ account: 'acme', label: 'ci' });
    assert.ok(isAccessKeyId(created.accessKeyId), created.accessKeyId);
    assert.match(created.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    assert.deepEqual(created.record, {
      accessKeyId: created.accessKeyId,
      account: 'acme',
      label: 'ci',
      status: 'active',
      createdAt: new Date('2030-01-01T00:00:00.000Z'),
    });
    const record = await store.getAccessKey(created.accessKeyId);
    assert.equal(record?.secretAccessKey, created.secretAccessKey);

    const other = await store.createAccessKey({ account: 'acme', label: 'ci' });
    assert.notEqual(other.accessKeyId, created.accessKeyId);
    assert.notEqual(other.secretAccessKey, created.secretAccessKey);
  });

  it('keeps an expiry and a ceiling given at creation', async (t) => {
    const { store } = await storeWithClock(t);
    const ceiling = [{ bucket: '*', actions: ['read' as const], prefixes: ['team/'] }];
    const { accessKeyId } = await store.createAccessKey({ account: 'acme', label: 'x', expiresAt: new Date('2030-04-01T00:00:00Z'), ceiling });
    const record = await store.getAccessKey(accessKeyId);
    assert.deepEqual(record?.ceiling, ceiling);
    assert.equal(record?.expiresAt?.toISOString(), '2030-04-01T00:00:00.000Z');
  });

  it('refuses keys for accounts it does not know, unless the config file defines them', async (t) => {
    const asked: string[] = [];
    const { store } = await storeWithClock(t, (name) => (asked.push(name), name === 'from-file'));
    await assert.rejects(store.createAccessKey({ account: 'nobody', label: 'x' }), (error: unknown) => {
      assert.ok(error instanceof UnknownAccountError);
      assert.equal(error.account, 'nobody');
      assert.equal(error.code, 'UnknownAccount');
      return true;
    });
    const created = await store.createAccessKey({ account: 'from-file', label: 'x' });
    assert.equal(created.record.account, 'from-file');
    await store.createAccessKey({ account: 'acme', label: 'x' });
    assert.deepEqual(asked, ['nobody', 'from-file'], 'the store’s own accounts need no outside lookup');
    assert.equal((await store.listAccessKeys()).length, 2);
  });

  it('rejects malformed ceilings, expiries and ids before storing anything', async (t) => {
    const { store } = await storeWithClock(t);
    await assert.rejects(store.createAccessKey({ account: 'acme', label: 'x', ceiling: [{ bucket: '*', actions: ['delete' as 'read'] }] }), TypeError);
    await assert.rejects(store.createAccessKey({ account: 'acme', label: 'x', ceiling: [{ bucket: '', actions: ['read'] }] }), TypeError);
    await assert.rejects(store.createAccessKey({ account: 'acme', label: 'x', expiresAt: new Date('nonsense') }), TypeError);
    await assert.rejects(store.importAccessKey({ accessKeyId: 'has space', secretAccessKey: 's', account: 'acme', label: '' }), TypeError);
    await assert.rejects(store.importAccessKey({ accessKeyId: 'SLAKOK', secretAccessKey: '', account: 'acme', label: '' }), TypeError);
    assert.deepEqual(await store.listAccessKeys(), []);
  });

  it('refuses to import a key whose id is taken', async (t) => {
    const { store } = await storeWithClock(t);
    const key = { accessKeyId: 'SLAKTAKENAAAAAAAAAAA', secretAccessKey: 'first', account: 'acme', label: 'a' };
    await store.importAccessKey(key);
    await assert.rejects(store.importAccessKey({ ...key, secretAccessKey: 'second' }), DuplicateAccessKeyError);
    assert.equal((await store.getAccessKey(key.accessKeyId))?.secretAccessKey, 'first');
  });

  it('lists keys without their secrets, in creation order, optionally for one account', async (t) => {
    const { store, setNow } = await storeWithClock(t);
    await store.putAccount('globex');
    const first = await store.createAccessKey({ account: 'acme', label: 'first' });
    setNow('2030-01-02T00:00:00.000Z');
    const second = await store.createAccessKey({ account: 'globex', label: 'second' });
    setNow('2030-01-03T00:00:00.000Z');
    const third = await store.createAccessKey({ account: 'acme', label: 'third' });

    const all = await store.listAccessKeys();
    assert.deepEqual(all.map((k) => k.accessKeyId), [first.accessKeyId, second.accessKeyId, third.accessKeyId]);
    for (const summary of all) assert.equal('secretAccessKey' in summary, false);
    assert.equal(JSON.stringify(all).includes(first.secretAccessKey), false);
    assert.deepEqual((await store.listAccessKeys({ account: 'acme' })).map((k) => k.label), ['first', 'third']);
    assert.deepEqual(await store.listAccessKeys({ account: 'nobody' }), []);
  });

  it('revokes a key once: the first revocation time stays, unknown ids answer false', async (t) => {
    const { store, setNow } = await storeWithClock(t);
    const { accessKeyId } = await store.createAccessKey({ account: 'acme', label: 'x' });
    setNow('2030-02-01T00:00:00.000Z');
    assert.equal(await store.revokeAccessKey(accessKeyId), true);
    setNow('2030-03-01T00:00:00.000Z');
    assert.equal(await store.revokeAccessKey(accessKeyId), true);
    const record = await store.getAccessKey(accessKeyId);
    assert.equal(record?.revokedAt?.toISOString(), '2030-02-01T00:00:00.000Z');
    assert.equal(keyUsability(record!, new Date('2030-03-01T00:00:00.000Z')), 'revoked');
    assert.equal(await store.revokeAccessKey('SLAKNOSUCHKEYAAAAAAA'), false);
  });

  it('records when a key was last used, never moving it backwards', async (t) => {
    const { store } = await storeWithClock(t);
    const { accessKeyId } = await store.createAccessKey({ account: 'acme', label: 'x' });
    assert.equal((await store.getAccessKey(accessKeyId))?.lastUsedAt, undefined);
    await store.recordKeyUse(accessKeyId, new Date('2030-05-05T05:05:05.005Z'));
    await store.recordKeyUse(accessKeyId, new Date('2030-05-01T00:00:00.000Z'));
    assert.equal((await store.getAccessKey(accessKeyId))?.lastUsedAt?.toISOString(), '2030-05-05T05:05:05.005Z');
    await store.recordKeyUse(accessKeyId, new Date('2030-06-01T00:00:00.000Z'));
    assert.equal((await store.listAccessKeys())[0]?.lastUsedAt?.toISOString(), '2030-06-01T00:00:00.000Z');
    await store.recordKeyUse('SLAKNOSUCHKEYAAAAAAA', new Date());
  });
});

describe('SqlitePolicyStore accounts and grants', () => {
  it('adds accounts once and lists them by name', async (t) => {
    const { store } = await storeWithClock(t);
    await store.putAccount('zeta');
    await store.putAccount('acme');
    assert.deepEqual(await store.listAccounts(), ['acme', 'zeta']);
    await assert.rejects(store.putAccount(''), TypeError);
    await assert.rejects(store.putAccount('a/b'), TypeError);
  });

  it('replaces an account’s grant on the same bucket in place, and removes grants', async (t) => {
    const { store } = await storeWithClock(t);
    await store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'] });
    await store.putGrant({ account: 'acme', bucket: 'reports', actions: ['read', 'write'], prefixes: ['2024'] });
    await store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read', 'write'], prefixes: ['shared'] });
    assert.deepEqual(await store.getGrants('acme'), [
      { bucket: 'photos', actions: ['read', 'write'], prefixes: ['shared'] },
      { bucket: 'reports', actions: ['read', 'write'], prefixes: ['2024'] },
    ]);
    assert.equal(await store.removeGrant('acme', 'photos'), true);
    assert.equal(await store.removeGrant('acme', 'photos'), false);
    assert.deepEqual((await store.getGrants('acme')).map((g) => g.bucket), ['reports']);
  });

  it('refuses grants for unknown accounts and malformed statements', async (t) => {
    const { store } = await storeWithClock(t);
    await assert.rejects(store.putGrant({ account: 'nobody', bucket: 'photos', actions: ['read'] }), UnknownAccountError);
    await assert.rejects(store.putGrant({ account: 'acme', bucket: 'photos', actions: [] }), TypeError);
    await assert.rejects(store.putGrant({ account: 'acme', bucket: 'photos', actions: ['read'], prefixes: [3 as unknown as string] }), TypeError);
    assert.deepEqual(await store.getGrants('acme'), []);
  });

  it('will not import two grants of one account on one bucket, which it could not keep apart', async (t) => {
    const { store } = await storeWithClock(t);
    await assert.rejects(
      importPolicyConfig(store, {
        buckets: [],
        accounts: [{ name: 'twice', grants: [{ bucket: 'b', actions: ['read'] }, { bucket: 'b', actions: ['write'], prefixes: ['up'] }] }],
      }),
      /more than one grant on b/,
    );
  });
});

describe('SqlitePolicyStore buckets', () => {
  const bucket = (over: Partial<BucketConfig>): BucketConfig => ({ name: 'data', connection: 'disk', prefix: '', public: false, readOnly: false, ...over });

  it('replaces the bucket with the same account and name', async (t) => {
    const { store } = await storeWithClock(t);
    await store.putBucket(bucket({ region: 'eu-west-1' }));
    await store.putBucket(bucket({ connection: 'other', public: true }));
    assert.deepEqual(await store.listBuckets(), [bucket({ connection: 'other', public: true })]);
  });

  it('prefers the bucket without an owner when path-style names repeat', async (t) => {
    const { store } = await storeWithClock(t);
    await store.putBucket(bucket({ account: 'acme', prefix: 'acme' }));
    assert.deepEqual(await store.getBucket('data'), bucket({ account: 'acme', prefix: 'acme' }));
    await store.putBucket(bucket({ prefix: 'shared' }));
    assert.deepEqual(await store.getBucket('data'), bucket({ prefix: 'shared' }));
    assert.equal(await store.getProduct('', 'data'), null);
  });

  it('removes one account’s product, or every bucket of a name', async (t) => {
    const { store } = await storeWithClock(t);
    await store.putBucket(bucket({ account: 'acme' }));
    await store.putBucket(bucket({ account: 'globex' }));
    await store.putBucket(bucket({}));
    assert.equal(await store.removeBucket('data', 'acme'), true);
    assert.equal(await store.removeBucket('data', 'acme'), false);
    assert.deepEqual((await store.listBuckets()).map((b) => b.account), ['globex', undefined]);
    assert.equal(await store.removeBucket('data'), true);
    assert.deepEqual(await store.listBuckets(), []);
    assert.equal(await store.removeBucket('data'), false);
  });

  it('rejects buckets without a name or connection', async (t) => {
    const { store } = await storeWithClock(t);
    await assert.rejects(store.putBucket(bucket({ name: '' })), TypeError);
    await assert.rejects(store.putBucket(bucket({ connection: '' })), TypeError);
    await assert.rejects(store.putBucket(bucket({ account: '' })), TypeError);
  });
});
