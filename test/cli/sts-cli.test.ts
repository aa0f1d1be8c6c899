/**
 * The STS commands the way operators and users run them: the launcher as a
 * child process against a running `sluice serve` with an `sts` section —
 * `sluice roles put|list|get|delete`, `sluice creds` (credential_process JSON,
 * cached with mode 0600) and `sluice sessions revoke`.
 */
import assert from 'node:assert/strict';
import { readdir, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { signedClient } from '../support/s3-client.ts';
import { runCli, serveCli } from './run-cli.ts';

let dir: string;
let configPath: string;
let issuer: OidcIssuer;
let env: Record<string, string>;
let server: { url: string; stop(): Promise<void> };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-sts-cli-'));
  await mkdir(join(dir, 'data', 'private'), { recursive: true });
  await writeFile(join(dir, 'data', 'private', 'report.csv'), 'q,total\n1,10\n');
  issuer = await OidcIssuer.start();
  env = {
    SLUICE_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
    SLUICE_SESSION_HMAC_SECRET: randomHmacSecret(),
    SLUICE_SESSION_SIGNING_KEY: (await es256Pem()).privateKey,
    XDG_CACHE_HOME: join(dir, 'cache'),
  };
  configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server:
  accessLog: false
connections:
  disk: { type: fs, root: data }
buckets:
  private: { connection: disk, prefix: private/ }
accounts:
  demo:
    grants: [{ bucket: private, actions: [read] }]
policy:
  sqlitePath: policy.db
  masterKey: \${env:SLUICE_MASTER_KEY}
  cacheTtlSeconds: 1
sts:
  identityProviders:
    - { id: ci, issuer: "${issuer.issuer}", audiences: [sluice], local: true, claims: github-actions }
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:SLUICE_SESSION_HMAC_SECRET}" }]
    signingKeys: [{ kid: session-1, privateKey: "\${env:SLUICE_SESSION_SIGNING_KEY}" }]
`);
  await writeFile(join(dir, 'reader.yaml'), `
account: demo
name: reader
bindings:
  - provider: ci
    audience: sluice
    claims: [{ claim: sub, operator: starts_with, value: "repo:example-org/" }]
permissions:
  - { actions: [read], resources: ["demo::bucket/private/*"] }
`);
  await writeFile(join(dir, 'token'), await issuer.sign(OidcIssuer.githubClaims({ repository: 'example-org/app' }), { expiresIn: 600 }));
  server = await serveCli(configPath, env);
});

after(async () => {
  await server?.stop();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

const creds = (...extra: string[]) =>
  runCli(['creds', '--endpoint', server.url, '--role', 'demo::role/reader', '--token-file', join(dir, 'token'), ...extra], env);

describe('sluice roles, creds and sessions end to end', () => {
  it('stores a role, exchanges a token for cached credentials that read the bucket, and revokes them', async () => {
    const put = await runCli(['roles', 'put', '--config', configPath, join(dir, 'reader.yaml')], env);
    assert.equal(put.code, 0, put.stderr);
    const listed = await runCli(['roles', 'list', '--config', configPath], env);
    assert.match(listed.stdout, /^demo::role\/reader\tstore\t/m);
    const shown = await runCli(['roles', 'get', '--config', configPath, 'demo::role/reader'], env);
    assert.equal((JSON.parse(shown.stdout) as { definition: { name: string } }).definition.name, 'reader');

    const first = await creds();
    assert.equal(first.code, 0, first.stderr);
    const out = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(out.Version, 1);
    assert.match(String(out.AccessKeyId), /^SLSS/);
    assert.ok(Date.parse(String(out.Expiration)) > Date.now() + 10 * 60_000);
    // Cached: the same credentials again, from a file only its owner can read.
    const second = await creds();
    assert.equal(JSON.parse(second.stdout).AccessKeyId, out.AccessKeyId);
    const cacheDir = join(dir, 'cache', 'sluice');
    const [file] = await readdir(cacheDir);
    assert.equal((await stat(join(cacheDir, file!))).mode & 0o777, 0o600);
    const fresh = await creds('--no-cache');
    assert.notEqual(JSON.parse(fresh.stdout).AccessKeyId, out.AccessKeyId);

    const s3 = signedClient(server.url, { accessKeyId: String(out.AccessKeyId), secretAccessKey: String(out.SecretAccessKey), sessionToken: String(out.SessionToken) });
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'private', Key: 'report.csv' }));
      assert.equal(await got.Body!.transformToString(), 'q,total\n1,10\n');
      const revoked = await runCli(['sessions', 'revoke', '--config', configPath, '--role', 'demo::role/reader'], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stderr, /"event":"sessions.revoked"/);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'private', Key: 'report.csv' })), (error: unknown) =>
        error instanceof S3ServiceException && error.name === 'AccessDenied');
    } finally {
      s3.destroy();
    }

    const deleted = await runCli(['roles', 'delete', '--config', configPath, 'demo::role/reader'], env);
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  it('reports a refused exchange with the STS error and exit 1, and bad usage with exit 2', async () => {
    const refused = await runCli(['creds', '--endpoint', server.url, '--role', 'demo::role/nobody', '--token-file', join(dir, 'token'), '--no-cache'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^sluice creds: InvalidParameterValue: /m);
    const usage = await runCli(['creds', '--endpoint', server.url, '--role', 'demo::role/reader'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give one of --token-file, --token-command/);
    const revokeUsage = await runCli(['sessions', 'revoke', '--config', configPath], env);
    assert.equal(revokeUsage.code, 2);
  });
});
