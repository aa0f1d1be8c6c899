/** Tests for `createApp`: backends through the runtime's registry, the managed policy store, audit events and background work. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRequest } from '../auth/sigv4/sign-request.ts';
import { portableBackends } from '../backends/portable-registry.ts';
import { bytesBody, readAll } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import type { AccessKeyRecord, WritablePolicyStore } from '../policy/store.ts';
import { bucket, testConfig } from '../../test/support/gateway-config.ts';
import { createApp } from './create-app.ts';
import type { AppServices } from './services.ts';

const NOW = new Date('2024-05-01T12:00:00Z');
const KEY: AccessKeyRecord = {
  accessKeyId: 'SLAKTESTKEY0000000001',
  secretAccessKey: 'test-secret-0123456789',
  account: 'research',
  label: 'test',
  status: 'active',
  createdAt: new Date('2024-01-01T00:00:00Z'),
};

function services(overrides: Partial<AppServices> = {}) {
  const logged: Record<string, unknown>[] = [];
  const background: Promise<unknown>[] = [];
  const value: AppServices = {
    runtime: {
      now: () => NOW,
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      log: { write: (event) => logged.push(event) },
      waitUntil: (work) => background.push(work),
    },
    backends: portableBackends,
    httpClient: () => {
      throw new Error('no HTTP in this test');
    },
    ...overrides,
  };
  return { services: value, logged, background };
}

/** A managed store with one key and the calls made to it; everything else is empty. */
function fakeManagedStore() {
  const calls: string[] = [];
  const store = {
    getBucket: async () => null,
    getProduct: async () => null,
    listBuckets: async () => [],
    listProducts: async () => [],
    getGrants: async () => [],
    getAccessKey: async (id: string) => (id === KEY.accessKeyId ? KEY : null),
    revokeAccessKey: async (id: string) => (calls.push(`revoke ${id}`), id === KEY.accessKeyId),
    recordKeyUse: async (id: string, at: Date) => void calls.push(`used ${id} ${at.toISOString()}`),
    close: async () => void calls.push('close'),
  };
  return { store: store as unknown as WritablePolicyStore, calls };
}

function get(path: string, headers: Record<string, string> = {}): GatewayRequest {
  return { method: 'GET', rawPath: path, rawQuery: '', headers: { host: 'sluice.test', ...headers }, client: {} };
}

describe('createApp', () => {
  it('builds the backends through the runtime registry and serves public objects anonymously', async () => {
    const { services: s } = services();
    const app = await createApp(testConfig({ buckets: [bucket('open-data', { prefix: 'pub/' })] }), s);
    await app.backends.get('main')!.put('pub/hello.txt', bytesBody('hello'), { metadata: {} });

    const response = await app.gateway.handle(get('/open-data/hello.txt'));
    assert.equal(response.status, 200);
    assert.equal(new TextDecoder().decode(await readAll(response.body!)), 'hello');
    assert.equal(await app.revokeAccessKey(KEY.accessKeyId), false, 'no managed store: nothing to revoke');
    await app.close();
  });

  it('refuses a configured policy database when the runtime has no store for it', async () => {
    const { services: s } = services();
    const config = testConfig({ buckets: [], policy: { sqlitePath: '/var/lib/sluice.db', masterKey: 'x' } });
    await assert.rejects(createApp(config, s), { name: 'TypeError', message: 'policy.sqlitePath is set, but this runtime has no database policy store' });
  });

  it('opens the managed store, audits revocations on the log sink and closes the store', async () => {
    const { store, calls } = fakeManagedStore();
    const opened: string[] = [];
    const { services: s, logged } = services({ openPolicyStore: async (policy) => (opened.push(String(policy.sqlitePath)), store) });
    const app = await createApp(testConfig({ buckets: [], policy: { sqlitePath: '/var/lib/sluice.db', masterKey: 'x' } }), s);
    assert.deepEqual(opened, ['/var/lib/sluice.db']);

    assert.equal(await app.revokeAccessKey(KEY.accessKeyId), true);
    assert.deepEqual(logged, [
      { level: 'info', msg: 'audit', event: 'access-key.revoked', time: '2024-05-01T12:00:00.000Z', accessKeyId: KEY.accessKeyId },
    ]);
    await app.close();
    assert.deepEqual(calls, [`revoke ${KEY.accessKeyId}`, 'close']);
  });

  it('records a key’s use in the background, handed to the runtime’s waitUntil, once per interval', async () => {
    const { store, calls } = fakeManagedStore();
    const { services: s, background } = services({ openPolicyStore: async () => store });
    const config = testConfig({ buckets: [bucket('climate', { public: false })], policy: { sqlitePath: '/db', masterKey: 'x' } });
    const app = await createApp(config, s);
    const signed = async () =>
      get('/climate/missing.txt', await signRequest({ method: 'GET', url: 'http://sluice.test/climate/missing.txt' }, KEY, { region: 'us-east-1', service: 's3', now: NOW }));

    // The account has no grants: refused, but authenticated, so the use counts.
    assert.equal((await app.gateway.handle(await signed())).status, 403);
    assert.equal((await app.gateway.handle(await signed())).status, 403);
    assert.equal(background.length, 1);
    await Promise.all(background);
    assert.deepEqual(calls, [`used ${KEY.accessKeyId} 2024-05-01T12:00:00.000Z`]);
    await app.close();
  });
});
