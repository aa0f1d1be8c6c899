/**
 * The app's bucket registry: placement from the file for its accounts and
 * from the store for the store's, refusals that fail closed, declared names
 * never available, and every change announced to the caches and the audit
 * log at once.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { SluiceConfig } from '../core/config.ts';
import { ConfigPolicyStore } from '../policy/config-store.ts';
import type { PolicyChange } from '../policy/policy-change.ts';
import { tempSqliteStore } from '../policy/sqlite/test-support.ts';
import { testConfig, bucket } from '../../test/support/gateway-config.ts';
import { createBucketRegistry } from './bucket-registry.ts';

const AT = new Date('2030-01-01T00:00:00.000Z');

async function harness(t: TestContext) {
  const temp = await tempSqliteStore();
  t.after(temp.cleanup);
  const config: SluiceConfig = testConfig({
    connections: { disk: { type: 'memory', name: 'disk', readOnly: false } },
    buckets: [bucket('declared', { connection: 'disk', prefix: 'declared/' })],
    accounts: [
      { name: 'alice', grants: [], createBuckets: { connection: 'disk', prefix: '{bucket}/' } },
      { name: 'bobby', grants: [] },
    ],
  });
  const changes: PolicyChange[] = [];
  const audits: [string, Record<string, string>][] = [];
  const warnings: string[] = [];
  const registry = createBucketRegistry({
    config,
    fixed: new ConfigPolicyStore(config),
    managed: temp.store,
    now: () => AT,
    changed: (change) => changes.push(change),
    warn: (message) => warnings.push(message),
    audit: (event, detail) => audits.push([event, detail]),
  });
  return { registry, store: temp.store, changes, audits, warnings };
}

describe('the bucket registry', () => {
  it('places file accounts by the file and store accounts by the store; the file decides for its own accounts', async (t) => {
    const { registry, store } = await harness(t);
    assert.deepEqual(await registry.placement('alice', 'photos'), { connection: 'disk', prefix: 'photos/' });
    assert.equal(await registry.placement('bobby', 'photos'), null);
    // A store setting for a file account is ignored: the file is the fixed ground.
    await store.setBucketCreation('bobby', { connection: 'disk', prefix: '{bucket}/' });
    assert.equal(await registry.placement('bobby', 'photos'), null);
    await store.setBucketCreation('carol', { connection: 'disk', prefix: 'tenants/{account}/{bucket}/' });
    assert.deepEqual(await registry.placement('carol', 'photos'), { connection: 'disk', prefix: 'tenants/carol/photos/' });
    assert.equal(await registry.placement('nobody', 'photos'), null);
  });

  it('fails closed on a stored connection that is not configured, and on an account name that is no safe path segment', async (t) => {
    const { registry, store, warnings } = await harness(t);
    await store.setBucketCreation('carol', { connection: 'gone', prefix: '{bucket}/' });
    assert.equal(await registry.placement('carol', 'photos'), null);
    await store.setBucketCreation('..', { connection: 'disk', prefix: '{account}/{bucket}/' });
    assert.equal(await registry.placement('..', 'photos'), null);
    assert.equal(warnings.length, 2);
  });

  it('declared names are taken and never client-created; created ones are announced and audited', async (t) => {
    const { registry, changes, audits } = await harness(t);
    const photos = { name: 'photos', connection: 'disk', prefix: 'photos/', public: false, readOnly: false, account: 'alice' };
    assert.equal(await registry.create({ ...photos, name: 'declared', prefix: 'declared/' }), 'taken');
    assert.equal(await registry.created('declared'), null);
    assert.deepEqual(changes, []);
    assert.equal(await registry.create(photos), 'created');
    assert.deepEqual(changes, [{ kind: 'buckets' }, { kind: 'grants', account: 'alice' }]);
    assert.deepEqual(audits, [['bucket.created', { bucket: 'photos', account: 'alice', connection: 'disk', prefix: 'photos/' }]]);
    assert.deepEqual(await registry.created('photos'), { name: 'photos', account: 'alice', createdAt: AT });
    assert.equal(await registry.create(photos), 'owned');
    changes.length = 0;
    assert.equal(await registry.remove('photos', 'alice'), true);
    assert.deepEqual(changes, [{ kind: 'buckets' }, { kind: 'grants', account: 'alice' }]);
    assert.deepEqual(audits.at(-1), ['bucket.deleted', { bucket: 'photos', account: 'alice' }]);
    assert.equal(await registry.created('photos'), null);
  });
});
