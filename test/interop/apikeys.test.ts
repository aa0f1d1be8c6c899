/**
 * API keys end to end, the way a cron job uses one: `sluice apikeys create`
 * mints a key into a file, a profile's `credential_process` runs `sluice
 * creds --api-key-file`, and stock aws-cli and boto3 read through it. A key
 * with no bound role assumes its account's `_default` role (the account's
 * grants); a key bound to a role gets that role's ceiling only. After
 * `sluice apikeys revoke`, the next exchange is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { launcher, runCli, serveCli } from '../cli/run-cli.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const REPORT = 'q,total\n1,10\n';

let dir: string;
let configPath: string;
let env: Record<string, string>;
let server: { url: string; stop(): Promise<void> };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-apikeys-'));
  await mkdir(join(dir, 'data', 'private'), { recursive: true });
  await writeFile(join(dir, 'data', 'private', 'report.csv'), REPORT);
  configPath = join(dir, 'sluice.yaml');
  env = {
    HMAC: randomHmacSecret(),
    SIGNING_KEY: (await es256Pem()).privateKey,
    ISSUER_KEY: (await es256Pem()).privateKey,
    SLUICE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
  };
  await writeFile(configPath, `
server: { accessLog: false }
issuer:
  url: https://sluice.example.test
  keys: [{ privateKey: "\${env:ISSUER_KEY}" }]
policy:
  sqlitePath: ${join(dir, 'sluice.db')}
  masterKey: \${env:SLUICE_MASTER_KEY}
  # Revocations made by another process show at once in this test.
  cacheTtlSeconds: 0
connections:
  disk: { type: fs, root: data }
buckets:
  private: { connection: disk, prefix: private/ }
accounts:
  demo:
    grants: [{ bucket: private, actions: [read, write] }]
  other:
    grants: []
sts:
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:HMAC}" }]
    signingKeys: [{ kid: s1, privateKey: "\${env:SIGNING_KEY}" }]
  roles:
    - account: demo
      name: reader
      bindings: [{ provider: sluice, audience: sluice-sts }]
      permissions: [{ actions: [read], resources: ["demo::bucket/private/*"] }]
`);
  server = await serveCli(configPath, env);
});

after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '--config', configPath], env);

async function createKey(file: string, ...flags: string[]): Promise<string> {
  const created = await cli('apikeys', 'create', '--account', 'demo', ...flags);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the bare token on stdout');
  const event = JSON.parse(created.stderr.split('\n').find((line) => line.includes('"audit"'))!) as { event: string; jti: string };
  assert.equal(event.event, 'api-key.created');
  assert.ok(!created.stderr.includes(token), 'the token is not repeated in the audit log');
  await writeFile(join(dir, file), `${token}\n`, { mode: 0o600 });
  return event.jti;
}

/** A clean environment: no credentials or config of the machine's user. */
const cleanEnv = (extra: Record<string, string> = {}) => isolatedAwsEnv(dir, extra);

/** A profile whose one line runs `sluice creds --api-key-file`. */
async function profileFor(keyFile: string, name: string): Promise<NodeJS.ProcessEnv> {
  const configFile = join(dir, `aws-config-${name}`);
  const command = [process.execPath, launcher, 'creds', '--endpoint', server.url, '--api-key-file', join(dir, keyFile), '--no-cache'].join(' ');
  await writeFile(configFile, `[profile ${name}]\nregion = us-east-1\ncredential_process = ${command}\n`);
  return cleanEnv({ AWS_CONFIG_FILE: configFile, AWS_PROFILE: name });
}

const BOTO3 = `
import sys, boto3, botocore.config, botocore.exceptions
s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=botocore.config.Config(s3={'addressing_style': 'path'}))
print(s3.get_object(Bucket='private', Key='report.csv')['Body'].read().decode(), end='')
try:
    s3.put_object(Bucket='private', Key='from-boto3.csv', Body=b'x')
    print('WRITE-ALLOWED')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'])
`;

describe('an API key as a credential_process profile', () => {
  let unbound: string;

  test('an unbound key assumes the account\'s _default role: aws-cli and boto3 read and write', async () => {
    unbound = await createKey('key.jwt', '--expires', '90d', '--label', 'nightly');
    const profile = await profileFor('key.jwt', 'cron');
    const got = await run(AWS, ['s3', 'cp', 's3://private/report.csv', '-', '--endpoint-url', server.url], { env: profile });
    assert.equal(got.stdout, REPORT);
    await writeFile(join(dir, 'upload.csv'), 'uploaded');
    await run(AWS, ['s3', 'cp', join(dir, 'upload.csv'), 's3://private/from-cli.csv', '--endpoint-url', server.url], { env: profile });
    assert.equal(await readFile(join(dir, 'data', 'private', 'from-cli.csv'), 'utf8'), 'uploaded');
    const { stdout } = await run('python3', ['-c', BOTO3, server.url], { env: profile });
    assert.equal(stdout, `${REPORT}WRITE-ALLOWED\n`);
  });

  test('a key bound to a role gets only that role: boto3 and aws-cli read, writes are refused', async () => {
    await createKey('reader.jwt', '--role', 'demo::role/reader');
    const profile = await profileFor('reader.jwt', 'reader');
    const { stdout } = await run('python3', ['-c', BOTO3, server.url], { env: profile });
    assert.equal(stdout, `${REPORT}AccessDenied\n`);
    const got = await run(AWS, ['s3', 'cp', 's3://private/report.csv', '-', '--endpoint-url', server.url], { env: profile });
    assert.equal(got.stdout, REPORT);
  });

  test('list shows the keys; revoke refuses the next exchange', async () => {
    const listed = JSON.parse((await cli('apikeys', 'list', '--account', 'demo', '--json')).stdout) as { jti: string; status: string; label: string; role: string | null }[];
    assert.equal(listed.length, 2);
    assert.deepEqual(listed.find((k) => k.jti === unbound), { ...listed.find((k) => k.jti === unbound)!, status: 'active', label: 'nightly', role: null });

    const revoked = await cli('apikeys', 'revoke', unbound);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, /"event":"api-key.revoked"/);
    const profile = await profileFor('key.jwt', 'cron');
    await assert.rejects(run(AWS, ['s3', 'cp', 's3://private/report.csv', '-', '--endpoint-url', server.url], { env: profile }),
      (error: { stderr?: string }) => /InvalidIdentityToken: The API key has been revoked/.test(error.stderr ?? ''));
    const again = JSON.parse((await cli('apikeys', 'list', '--json')).stdout) as { jti: string; status: string }[];
    assert.equal(again.find((k) => k.jti === unbound)?.status, 'revoked');
  });

  test('a key of one account cannot assume another account\'s role, nor a role it is not bound to', async () => {
    const exchange = async (keyFile: string, role: string) => {
      const result = await runCli(['creds', '--endpoint', server.url, '--api-key-file', join(dir, keyFile), '--role', role, '--no-cache'], env);
      return result;
    };
    const foreign = await exchange('reader.jwt', 'other::role/_default');
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /IDPRejectedClaim/);
    const unboundRole = await exchange('reader.jwt', 'demo::role/_default');
    assert.equal(unboundRole.code, 1);
    assert.match(unboundRole.stderr, /IDPRejectedClaim: The API key is bound to another role/);
  });
});
