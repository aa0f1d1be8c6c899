/**
 * The issuer's keys and a connection's stored keys, managed with the CLI in
 * the SQLite policy store the way operators do it, and honoured by a running
 * `sluice serve`: a first key signs, a second is published before it signs,
 * rotation swaps them with the old key still published; a connection with
 * `auth: { type: stored }` signs with the keys `sluice connections
 * set-credentials` sealed (moto checks the signatures). No command prints a
 * private key or a secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { signedClient } from '../support/s3-client.ts';
import { assertBuildIsCurrent, runCli, serveCli } from './run-cli.ts';

const skip = motoUnavailableReason();
const SECRET = 'writer-secret-0123456789abcdefghij';

describe('sluice issuer keys and connections set-credentials', { skip }, () => {
  let dir: string;
  let configPath: string;
  let peer: S3Peer;
  let env: Record<string, string>;

  before(async () => {
    assertBuildIsCurrent();
    peer = await startMotoServer({ bucket: 'stored-store' });
    dir = await mkdtemp(join(tmpdir(), 'sluice-issuer-'));
    configPath = join(dir, 'sluice.yaml');
    env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), STORED_SECRET: peer.credentials.secretAccessKey, WRITER_SECRET: SECRET };
    await writeFile(configPath, `
server:
  accessLog: false
issuer:
  url: https://sluice.example.test
policy:
  sqlitePath: sluice.db
  masterKey: \${env:SLUICE_MASTER_KEY}
connections:
  stored:
    type: s3
    endpoint: ${peer.endpoint}
    region: us-east-1
    bucket: stored-store
    forcePathStyle: true
    auth:
      type: stored
buckets:
  data:
    connection: stored
accounts:
  writer:
    grants:
      - bucket: data
        actions: [read, write]
accessKeys:
  SLAKWRITERAAAAAAAAAA:
    secret: \${env:WRITER_SECRET}
    account: writer
`);
  });

  after(async () => {
    await peer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const result = await runCli([...args, '--config', configPath], env);
    assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY|writer-secret/);
    assert.ok(!(result.stdout + result.stderr).includes(peer.credentials.secretAccessKey), 'no secret printed');
    return result;
  };
  const listKeys = async () => JSON.parse((await cli('issuer', 'keys', 'list', '--json')).stdout) as { kid: string; status: string; alg: string }[];
  const jwksKids = async (url: string) => ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('generates, publishes and rotates issuer keys without a gap', async () => {
    assert.equal((await cli('issuer', 'keys', 'list')).stdout.trim(), 'No issuer keys.');
    // Without keys the server refuses to start, naming the command that fixes it.
    const refused = await runCli(['serve', '--config', configPath, '--listen', '127.0.0.1:0'], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /sluice issuer keys generate/);

    const first = await cli('issuer', 'keys', 'generate', '--json');
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout) as { kid: string; status: string };
    assert.equal(a.status, 'active');
    const second = await cli('issuer', 'keys', 'generate', '--alg', 'RS256', '--json');
    const b = JSON.parse(second.stdout) as { kid: string; status: string };
    assert.equal(b.status, 'next');
    const third = await cli('issuer', 'keys', 'generate');
    assert.equal(third.code, 1);
    assert.match(third.stderr, /rotate/);

    let server = await serveCli(configPath, env);
    try {
      assert.deepEqual(await jwksKids(server.url), [a.kid, b.kid], 'the next key is published before it signs');
    } finally {
      await server.stop();
    }
    const rotated = await cli('issuer', 'keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const statuses = new Map((await listKeys()).map((k) => [k.kid, k.status]));
    assert.deepEqual(Object.fromEntries(statuses), { [a.kid]: 'previous', [b.kid]: 'active' });
    server = await serveCli(configPath, env);
    try {
      assert.deepEqual(await jwksKids(server.url), [b.kid, a.kid], 'the previous key stays published');
    } finally {
      await server.stop();
    }
    assert.equal((await cli('issuer', 'keys', 'rotate')).code, 1, 'no next key to rotate to');
  });

  it('a connection signs with keys sealed by set-credentials', async () => {
    const missingEnv = await runCli(['connections', 'set-credentials', '--config', configPath, '--connection', 'stored',
      '--access-key-id', peer.credentials.accessKeyId, '--secret-from-env', 'NOT_SET'], env);
    assert.equal(missingEnv.code, 1);
    assert.match(missingEnv.stderr, /NOT_SET is not set/);
    const stored = await cli('connections', 'set-credentials', '--connection', 'stored',
      '--access-key-id', peer.credentials.accessKeyId, '--secret-from-env', 'STORED_SECRET');
    assert.equal(stored.code, 0, stored.stderr);

    const server = await serveCli(configPath, env);
    const s3 = signedClient(server.url, { accessKeyId: 'SLAKWRITERAAAAAAAAAA', secretAccessKey: SECRET });
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'k.txt', Body: 'sealed keys' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'k.txt' }));
      assert.equal(await got.Body!.transformToString(), 'sealed keys');
    } finally {
      s3.destroy();
      await server.stop();
    }
  });
});
