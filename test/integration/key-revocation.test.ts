/**
 * Keys in the SQLite store: usable by a real client as soon as they are
 * created, and refused at once when revoked inside the server process — even
 * with a long policy cache TTL. (Revocation from another process, within the
 * TTL, is covered by test/cli/keys-e2e.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

test('a key revoked inside the server process is refused on the very next request', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-revoke-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const masterKey = new Uint8Array(32).fill(9);
  const sqlitePath = join(dir, 'sluice.db');
  const seed = await SqlitePolicyStore.open(sqlitePath, { masterKey });
  await seed.putAccount('research');
  const { accessKeyId, secretAccessKey } = await seed.createAccessKey({ account: 'research', label: 'revocation test' });
  await seed.close();

  const backend = new MemoryBackend({ readOnly: false });
  await backend.put('data.csv', bytesBody('a,b\n'), { metadata: {} });
  const config = testConfig({ buckets: [bucket('climate', { public: false })] });
  config.accounts = [{ name: 'research', grants: [{ bucket: 'climate', actions: ['read'] }] }];
  config.policy = { sqlitePath, masterKey: btoa(String.fromCharCode(...masterKey)), cacheTtlSeconds: 60 };
  const server = await startServer(config, { backends: new Map([['main', backend]]) });
  const s3 = signedClient(server.url, { accessKeyId, secretAccessKey });
  t.after(async () => {
    s3.destroy();
    await server.close();
  });

  const got = await s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data.csv' }));
  assert.equal(await got.Body!.transformToString(), 'a,b\n');

  assert.equal(await server.access.revokeAccessKey(accessKeyId), true);
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data.csv' })), (error: unknown) =>
    error instanceof S3ServiceException && error.name === 'InvalidAccessKeyId' && error.$metadata.httpStatusCode === 403);
  assert.equal(await server.access.revokeAccessKey('SLAKNOSUCHKEYAAAAAAA'), false);
});
