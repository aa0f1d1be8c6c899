/**
 * examples/self-hosted.yaml is a valid configuration once its secrets are in
 * the environment, and defines what docs/self-hosted.md promises: one fs
 * connection, no declared buckets, an account that may create buckets, and a
 * key for it whose secret comes from the environment.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../src/runtimes/node/config-file.ts';
import { runCli } from './run-cli.ts';

const env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), SLUICE_OWNER_SECRET: 'example-owner-secret-0123456789' };

describe('examples/self-hosted.yaml', () => {
  it('defines an fs connection, no declared buckets, and an owner that may create buckets with a key from the environment', async () => {
    const config = await loadConfigFile('examples/self-hosted.yaml', env);
    assert.equal(config.connections.disk?.type, 'fs');
    assert.deepEqual(config.buckets, []);
    assert.deepEqual(config.accounts, [{ name: 'owner', grants: [], createBuckets: { connection: 'disk', prefix: '{bucket}/' } }]);
    assert.deepEqual(config.accessKeys.map((k) => [k.accessKeyId, k.account, k.secretAccessKey]), [['SLAKOWNERAAAAAAAAAAA', 'owner', env.SLUICE_OWNER_SECRET]]);
    assert.match(config.policy.sqlitePath!, /examples\/self-hosted\.db$/);
  });

  it('sluice validate-config accepts it with the secrets set and names the missing variables without them', async () => {
    const ok = await runCli(['validate-config', 'examples/self-hosted.yaml'], env);
    assert.equal(ok.code, 0, ok.stderr);
    const missing = await runCli(['validate-config', 'examples/self-hosted.yaml'], { SLUICE_MASTER_KEY: undefined, SLUICE_OWNER_SECRET: undefined });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /SLUICE_MASTER_KEY/);
    assert.match(missing.stderr, /SLUICE_OWNER_SECRET/);
  });
});
