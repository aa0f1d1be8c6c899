/**
 * `sluice keys` the way operators run it: the launcher as a child process,
 * a YAML configuration with the master key from the environment, and a
 * running `sluice serve` that honours a key created, then revoked, by the CLI.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { signedClient } from '../support/s3-client.ts';
import { runCli, serveCli } from './run-cli.ts';

const env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 42).toString('base64') };

let dir: string;
let configPath: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-keys-e2e-'));
  await mkdir(join(dir, 'data', 'climate'), { recursive: true });
  await writeFile(join(dir, 'data', 'climate', 'temps.csv'), 'year,temp\n2024,15.1\n');
  configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server:
  accessLog: false
connections:
  disk:
    type: fs
    root: data
buckets:
  climate:
    connection: disk
    prefix: climate/
accounts:
  research:
    grants:
      - bucket: climate
        actions: [read]
policy:
  sqlitePath: keys.db
  masterKey: \${env:SLUICE_MASTER_KEY}
  cacheTtlSeconds: 1
`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startServe(): Promise<{ url: string; stop(): Promise<void> }> {
  return serveCli(configPath, env);
}

describe('sluice keys end to end', () => {
  it('creates a key a running server accepts, and revokes it within the cache TTL', async (t) => {
    const created = await runCli(['keys', 'create', '--config', configPath, '--account', 'research', '--label', 'e2e', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { accessKeyId, secretAccessKey } = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    assert.ok(existsSync(join(dir, 'keys.db')), 'the database path is relative to the configuration file');

    const listed = await runCli(['keys', 'list', '--config', configPath, '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { accessKeyId: string; status: string }[]).map((k) => [k.accessKeyId, k.status]), [[accessKeyId, 'active']]);
    assert.equal(listed.stdout.includes(secretAccessKey), false);

    const server = await startServe();
    t.after(() => server.stop());
    const client = signedClient(server.url, { accessKeyId, secretAccessKey });
    t.after(() => client.destroy());
    const get = () => client.send(new GetObjectCommand({ Bucket: 'climate', Key: 'temps.csv' }));
    assert.equal(await (await get()).Body?.transformToString(), 'year,temp\n2024,15.1\n');

    const revoked = await runCli(['keys', 'revoke', '--config', configPath, accessKeyId], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /within 1 second \(policy.cacheTtlSeconds\)/);

    const started = Date.now();
    let refusal: unknown;
    while (Date.now() - started < 4000) {
      try {
        await get();
      } catch (error) {
        refusal = error;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(refusal instanceof S3ServiceException, `still accepted ${Date.now() - started} ms after revocation`);
    assert.equal(refusal.name, 'InvalidAccessKeyId');
    assert.equal(refusal.$metadata.httpStatusCode, 403);
    assert.ok(Date.now() - started < 3000, 'refused within the TTL and a margin');
  });

  it('reports an unset master key variable as a configuration problem (exit 1)', async () => {
    const result = await runCli(['keys', 'list', '--config', configPath], { SLUICE_MASTER_KEY: undefined });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /SLUICE_MASTER_KEY/);
    assert.equal(result.stdout, '');
  });

  it('explains a configuration without a policy store (exit 1)', async () => {
    const bare = join(dir, 'bare.yaml');
    await writeFile(bare, 'connections:\n  disk:\n    type: memory\nbuckets:\n  b1b:\n    connection: disk\n');
    const result = await runCli(['keys', 'create', '--config', bare, '--account', 'research', '--label', 'x']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^sluice keys create: .*bare\.yaml has no policy\.sqlitePath/);
  });

  it('lists keys among the root help’s commands, and exits 2 for unknown flags', async () => {
    const help = await runCli(['--help']);
    assert.match(help.stdout, /\n  keys +create, list and revoke access keys/);
    const result = await runCli(['keys', 'list', '--config', configPath, '--secrets'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sluice keys list: unknown option --secrets\n\nUsage: sluice keys list/);
  });
});
