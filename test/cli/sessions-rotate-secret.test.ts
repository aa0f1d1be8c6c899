/**
 * `sluice sessions rotate-secret` the way operators run it: session keys
 * kept in the SQLite policy store (the configuration gives none), the first
 * version made before the server starts, a second one made while it runs.
 * The running server issues new sessions with the new version within the
 * policy cache TTL, without a restart; sessions issued before keep working;
 * `sluice sessions secrets` lists versions, never secrets.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { signedClient } from '../support/s3-client.ts';
import { runCli, serveCli } from './run-cli.ts';

let dir: string;
let configPath: string;
let issuer: OidcIssuer;
let env: Record<string, string>;
let server: { url: string; stop(): Promise<void> } | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-rotate-secret-'));
  await mkdir(join(dir, 'data', 'private'), { recursive: true });
  await writeFile(join(dir, 'data', 'private', 'report.csv'), 'q,total\n1,10\n');
  issuer = await OidcIssuer.start();
  env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 6).toString('base64'), XDG_CACHE_HOME: join(dir, 'cache') };
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
  sessions: {}
  roles:
    - account: demo
      name: reader
      bindings:
        - provider: ci
          audience: sluice
          claims: [{ claim: sub, operator: starts_with, value: "repo:example-org/" }]
      permissions:
        - { actions: [read], resources: ["demo::bucket/private/*"] }
`);
  await writeFile(join(dir, 'token'), await issuer.sign(OidcIssuer.githubClaims({ repository: 'example-org/app' }), { expiresIn: 600 }));
});

after(async () => {
  await server?.stop();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

const creds = () => runCli(['creds', '--endpoint', server!.url, '--role', 'demo::role/reader', '--token-file', join(dir, 'token'), '--no-cache'], env);

async function read(credentials: Record<string, string>): Promise<string> {
  const s3 = signedClient(server!.url, { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! });
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: 'private', Key: 'report.csv' }))).Body!.transformToString();
  } finally {
    s3.destroy();
  }
}

describe('sluice sessions rotate-secret', () => {
  it('rotates the stored session keys under a running server: old sessions keep working, new ones use the new version', async () => {
    const first = await runCli(['sessions', 'rotate-secret', '--config', configPath, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).version, 1);
    assert.match(first.stderr, /"event":"sessions.secret-rotated"/);
    server = await serveCli(configPath, env);

    const before = JSON.parse((await creds()).stdout) as Record<string, string>;
    assert.match(before.AccessKeyId!, /^SLSS1/);
    assert.equal(await read(before), 'q,total\n1,10\n');

    const second = await runCli(['sessions', 'rotate-secret', '--config', configPath], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Session key version 2 .* is now active\.\nVersion 1 keeps verifying/);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const after = JSON.parse((await creds()).stdout) as Record<string, string>;
    assert.match(after.AccessKeyId!, /^SLSS2/);
    assert.equal(await read(after), 'q,total\n1,10\n');
    assert.equal(await read(before), 'q,total\n1,10\n', 'a session issued before the rotation');

    const listed = await runCli(['sessions', 'secrets', '--config', configPath, '--json'], env);
    assert.deepEqual((JSON.parse(listed.stdout) as { version: number; active: boolean }[]).map((k) => [k.version, k.active]), [[1, false], [2, true]]);
    const everything = `${first.stdout}${first.stderr}${second.stdout}${second.stderr}${listed.stdout}${await readFile(join(dir, 'policy.db'), 'latin1')}`;
    assert.ok(!everything.includes('PRIVATE KEY'), 'no signing key printed or stored in the clear');
  });
});
