/**
 * The policy store contract: one set of node:test tests every `PolicyStore`
 * runs to prove itself. Each test asks the store under test to be made from
 * the same seed (buckets, accounts with grants, access keys) and checks the
 * lookups the gateway makes.
 *
 *   runPolicyStoreContract('sqlite', async (seed) => ({ store, cleanup }));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessKeyConfig, AccountConfig, BucketConfig } from '../../src/core/config.ts';
import type { PermissionStatement } from '../../src/core/identity.ts';
import { keyUsability, type AccessKeyRecord, type PolicyStore } from '../../src/policy/store.ts';

export interface PolicySeed {
  buckets: BucketConfig[];
  accounts: AccountConfig[];
  accessKeys: AccessKeyConfig[];
}

export type MakePolicyStore = (seed: PolicySeed) => Promise<{ store: PolicyStore; cleanup(): Promise<void> }>;

const photos: BucketConfig = { name: 'photos', connection: 'disk', prefix: '', public: true, readOnly: false };
const archive: BucketConfig = { name: 'archive', connection: 'disk', prefix: 'archive', public: false, readOnly: true, region: 'eu-west-1' };
const acmeReports: BucketConfig = { name: 'reports', account: 'acme', connection: 'disk', prefix: 'acme/reports', public: false, readOnly: false };
const acmeLogs: BucketConfig = { name: 'logs', account: 'acme', connection: 'mem', prefix: 'acme/logs', public: true, readOnly: true, region: 'eu-central-1' };
// Same product name as acme's: path-mapped lookups must tell the accounts apart.
const globexReports: BucketConfig = { name: 'reports', account: 'globex', connection: 'mem', prefix: 'globex', public: false, readOnly: false };

const acme: AccountConfig = {
  name: 'acme',
  grants: [
    { bucket: 'acme/reports', actions: ['read', 'write'], prefixes: ['2024', 'shared/'] },
    { bucket: 'photos', actions: ['read'] },
    { bucket: 'archive', actions: ['read'], prefixes: [] },
  ],
};
const globex: AccountConfig = {
  name: 'globex',
  grants: [
    { bucket: '*', actions: ['read'] },
    { bucket: 'globex/reports', actions: ['write'], prefixes: ['uploads'] },
  ],
};
const idle: AccountConfig = { name: 'idle', grants: [] };

const plainKey: AccessKeyConfig = {
  accessKeyId: 'SLAKACMEPRIMARYAAAAA',
  secretAccessKey: 'acme/primary+secret=0123456789abcdefghij',
  account: 'acme',
  label: 'primary',
  status: 'active',
};
const ceilingKey: AccessKeyConfig = {
  accessKeyId: 'SLAKACMECEILINGAAAAA',
  secretAccessKey: 'ceilingSecret0123456789abcdefghijklmnopq',
  account: 'acme',
  label: 'reports reader, until 2099',
  status: 'active',
  expiresAt: new Date('2099-01-01T00:00:00.000Z'),
  ceiling: [
    { bucket: 'acme/reports', actions: ['read'], prefixes: ['2024/q1', 'shared'] },
    { bucket: '*', actions: ['read', 'write'] },
  ],
};
const disabledKey: AccessKeyConfig = {
  accessKeyId: 'SLAKACMEDISABLEDAAAA',
  secretAccessKey: 'disabledSecret0123456789abcdefghijklmnop',
  account: 'acme',
  label: 'disabled',
  status: 'disabled',
};
const expiredKey: AccessKeyConfig = {
  accessKeyId: 'SLAKGLOBEXEXPIREDAAA',
  secretAccessKey: 'expiredSecret0123456789abcdefghijklmnopq',
  account: 'globex',
  label: 'expired',
  status: 'active',
  expiresAt: new Date('2020-06-01T12:00:00.000Z'),
};
// An AWS-style id (keys moved from elsewhere) with an empty ceiling: it allows nothing, which is not "no ceiling".
const awsStyleKey: AccessKeyConfig = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  account: 'globex',
  label: '',
  status: 'active',
  ceiling: [],
};

/** The one seed every store is made from. Fresh objects each time, so no store can alter another's. */
export function contractSeed(): PolicySeed {
  return structuredClone({
    buckets: [photos, archive, acmeReports, acmeLogs, globexReports],
    accounts: [acme, globex, idle],
    accessKeys: [plainKey, ceilingKey, disabledKey, expiredKey, awsStyleKey],
  });
}

const bucketId = (b: BucketConfig) => `${b.account ?? ''}/${b.name}`;
const byBucketId = (a: BucketConfig, b: BucketConfig) => bucketId(a).localeCompare(bucketId(b));
const statementId = (s: PermissionStatement) => JSON.stringify([s.bucket, s.actions, s.prefixes]);
const sortedStatements = (list: readonly PermissionStatement[]) => [...list].sort((a, b) => statementId(a).localeCompare(statementId(b)));

/** Optional fields may be absent or undefined alike; compare what is there. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function expectedRecord(key: AccessKeyConfig): Partial<AccessKeyRecord> {
  return defined({
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    account: key.account,
    label: key.label,
    status: key.status,
    expiresAt: key.expiresAt,
    ceiling: key.ceiling,
  });
}

async function lookUpKey(store: PolicyStore, key: AccessKeyConfig): Promise<AccessKeyRecord> {
  const record = await store.getAccessKey(key.accessKeyId);
  assert.ok(record, `access key ${key.accessKeyId} should be found`);
  return record;
}

export function runPolicyStoreContract(name: string, make: MakePolicyStore): void {
  const test = (testName: string, body: (store: PolicyStore) => Promise<void>) =>
    it(testName, async (t) => {
      const { store, cleanup } = await make(contractSeed());
      t.after(cleanup);
      await body(store);
    });

  describe(`${name} policy store contract`, () => {
    describe('bucket resolution', () => {
      test('finds path-style buckets by name with every field intact', async (store) => {
        assert.deepEqual(await store.getBucket('photos'), photos);
        assert.deepEqual(await store.getBucket('archive'), archive);
      });

      test('finds path-mapped products by account and name, telling accounts apart', async (store) => {
        assert.deepEqual(await store.getProduct('acme', 'reports'), acmeReports);
        assert.deepEqual(await store.getProduct('globex', 'reports'), globexReports);
        assert.deepEqual(await store.getProduct('acme', 'logs'), acmeLogs);
      });

      test('returns null for absent buckets and products', async (store) => {
        assert.equal(await store.getBucket('no-such-bucket'), null);
        assert.equal(await store.getProduct('acme', 'no-such-product'), null);
        assert.equal(await store.getProduct('nobody', 'reports'), null);
        assert.equal(await store.getProduct('globex', 'logs'), null, 'another account’s product');
        assert.equal(await store.getProduct('acme', 'photos'), null, 'a bucket without an owner is no product');
      });

      test('bucket names are case-sensitive', async (store) => {
        assert.equal(await store.getBucket('Photos'), null);
        assert.equal(await store.getProduct('ACME', 'reports'), null);
      });

      test('lists every bucket once', async (store) => {
        const listed = await store.listBuckets();
        assert.deepEqual([...listed].sort(byBucketId), contractSeed().buckets.sort(byBucketId));
      });

      test('lists an account’s products and nothing of other accounts', async (store) => {
        assert.deepEqual((await store.listProducts('acme')).sort(byBucketId), [acmeLogs, acmeReports]);
        assert.deepEqual(await store.listProducts('globex'), [globexReports]);
        assert.deepEqual(await store.listProducts('nobody'), []);
      });
    });

    describe('grants', () => {
      test('returns all of an account’s statements with their prefixes', async (store) => {
        assert.deepEqual(sortedStatements(await store.getGrants('acme')), sortedStatements(acme.grants));
      });

      test('keeps an empty prefix list apart from no prefix list', async (store) => {
        const grants = await store.getGrants('acme');
        assert.deepEqual(grants.find((g) => g.bucket === 'archive')?.prefixes, []);
        assert.equal(grants.find((g) => g.bucket === 'photos')?.prefixes, undefined);
      });

      test('keeps wildcard-bucket grants', async (store) => {
        assert.deepEqual(sortedStatements(await store.getGrants('globex')), sortedStatements(globex.grants));
      });

      test('gives no grants to an account without any or one that does not exist', async (store) => {
        assert.deepEqual(await store.getGrants('idle'), []);
        assert.deepEqual(await store.getGrants('nobody'), []);
      });
    });

    describe('access keys', () => {
      test('looks up a key with its secret, account, label and status', async (store) => {
        const record = await lookUpKey(store, plainKey);
        assert.deepEqual(defined({ ...record, createdAt: undefined }), expectedRecord(plainKey));
        assert.ok(record.createdAt instanceof Date && !Number.isNaN(record.createdAt.getTime()), 'createdAt is a valid date');
        assert.equal(record.revokedAt, undefined);
        assert.equal(keyUsability(record, new Date()), 'usable');
      });

      test('returns null for an absent key, and ids are case-sensitive', async (store) => {
        assert.equal(await store.getAccessKey('SLAKNOSUCHKEYAAAAAAA'), null);
        assert.equal(await store.getAccessKey(plainKey.accessKeyId.toLowerCase()), null);
        assert.equal(await store.getAccessKey(''), null);
      });

      test('round-trips a ceiling and an expiry exactly', async (store) => {
        const record = await lookUpKey(store, ceilingKey);
        assert.deepEqual(defined({ ...record, createdAt: undefined }), expectedRecord(ceilingKey));
        assert.deepEqual(record.ceiling, ceilingKey.ceiling);
        assert.equal(record.ceiling?.[1]?.prefixes, undefined, 'a statement without prefixes stays without');
        assert.equal(record.expiresAt?.toISOString(), '2099-01-01T00:00:00.000Z');
      });

      test('keeps an empty ceiling apart from no ceiling', async (store) => {
        assert.deepEqual((await lookUpKey(store, awsStyleKey)).ceiling, []);
        assert.equal((await lookUpKey(store, plainKey)).ceiling, undefined);
      });

      test('reports disabled and expired keys as such', async (store) => {
        const now = new Date();
        const disabled = await lookUpKey(store, disabledKey);
        assert.equal(disabled.status, 'disabled');
        assert.equal(keyUsability(disabled, now), 'disabled');
        const expired = await lookUpKey(store, expiredKey);
        assert.equal(expired.expiresAt?.toISOString(), '2020-06-01T12:00:00.000Z');
        assert.equal(keyUsability(expired, now), 'expired');
        assert.equal(keyUsability(await lookUpKey(store, ceilingKey), now), 'usable');
      });

      test('keeps ids and secrets of keys made elsewhere as they are', async (store) => {
        const record = await lookUpKey(store, awsStyleKey);
        assert.equal(record.secretAccessKey, awsStyleKey.secretAccessKey);
        assert.equal(record.label, '');
      });
    });
  });
}
