/**
 * API keys and account-registered identity providers on a PostgreSQL policy
 * database shared by two `sluice serve` processes (the compiled build), both
 * started here with a throwaway cluster and a local OIDC issuer:
 * `sluice apikeys create` mints a key whose token either server exchanges at
 * /.sts for credentials that read an object; after `sluice apikeys revoke`
 * both refuse its next exchange within a second, although their policy
 * caches would keep the record for a minute. `sluice idps add` registers
 * the local issuer for the account, a role bound to it exchanges that
 * issuer's token on either server, and after `sluice idps remove` both
 * refuse it at once (the role naming the removed provider is disabled). Skips, saying why, when PostgreSQL is absent (.ci/run
 * installs it).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { assertBuildIsCurrent, runCli, serveCli } from '../cli/run-cli.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { POSTGRES_SKIP_REASON, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { signedClient } from '../support/s3-client.ts';

if (POSTGRES_SKIP_REASON) console.log(`# skipping the PostgreSQL API key and identity provider tests: ${POSTGRES_SKIP_REASON}`);

const REPORT = 'q,total\n1,10\n';
/** How long a change may take to reach a server through PostgreSQL's notifications. */
const AT_ONCE_MS = 1000;

type Server = { url: string; stop(): Promise<void> };

describe('API keys and account identity providers on PostgreSQL, across two servers', { skip: POSTGRES_SKIP_REASON }, () => {
  let cluster: PostgresCluster;
  let campus: OidcIssuer;
  let dir: string;
  let configPath: string;
  let env: Record<string, string>;
  let servers: Server[] = [];

  const cli = (...args: string[]) => runCli([...args, '--config', configPath], env);

  before(async () => {
    assertBuildIsCurrent();
    [cluster, campus] = await Promise.all([startPostgresCluster(), OidcIssuer.start()]);
    dir = await mkdtemp(join(tmpdir(), 'sluice-pg-apikeys-'));
    await mkdir(join(dir, 'data', 'private'), { recursive: true });
    await writeFile(join(dir, 'data', 'private', 'report.csv'), REPORT);
    env = {
      SLUICE_TEST_POSTGRES_URL: cluster.url(await cluster.createDatabase()),
      SLUICE_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
      HMAC: randomHmacSecret(),
      SIGNING_KEY: (await es256Pem()).privateKey,
      ISSUER_KEY: (await es256Pem()).privateKey,
    };
    configPath = join(dir, 'sluice.yaml');
    await writeFile(configPath, `
server: { accessLog: false }
issuer:
  url: https://sluice.example.test
  keys: [{ privateKey: "\${env:ISSUER_KEY}" }]
policy:
  postgresUrl: \${env:SLUICE_TEST_POSTGRES_URL}
  masterKey: \${env:SLUICE_MASTER_KEY}
  # Far longer than any wait below: what shows at once shows through notifications.
  cacheTtlSeconds: 60
connections:
  disk: { type: fs, root: data }
buckets:
  private: { connection: disk, prefix: private/ }
accounts:
  demo:
    grants: [{ bucket: private, actions: [read] }]
sts:
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:HMAC}" }]
    signingKeys: [{ kid: s1, privateKey: "\${env:SIGNING_KEY}" }]
`);
    const migrated = await cli('db', 'migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
    servers = await Promise.all([serveCli(configPath, env), serveCli(configPath, env)]);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all([cluster?.stop(), campus?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Session credentials from `server`'s STS endpoint for `token`. */
  async function assume(server: Server, roleArn: string, token: string) {
    const sts = new STSClient({ region: 'us-east-1', endpoint: `${server.url}/.sts`, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    try {
      const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'e2e', WebIdentityToken: token, DurationSeconds: 900 }));
      const c = out.Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    } finally {
      sts.destroy();
    }
  }

  /** Exchanges on `server` and reads the report with the credentials. */
  async function readReport(server: Server, roleArn: string, token: string): Promise<string> {
    const s3 = signedClient(server.url, await assume(server, roleArn, token));
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'private', Key: 'report.csv' }));
      return await got.Body!.transformToString();
    } finally {
      s3.destroy();
    }
  }

  /** Polls until `server` refuses the exchange with the error `name` and `message`; returns how long that took after `since`. */
  async function msUntilRefused(server: Server, roleArn: string, token: string, [name, message]: [string, RegExp], since: number): Promise<number> {
    for (;;) {
      try {
        await assume(server, roleArn, token);
      } catch (error) {
        assert.ok(error instanceof STSServiceException && error.name === name, String(error));
        assert.match(error.message, message);
        return Date.now() - since;
      }
      const elapsed = Date.now() - since;
      if (elapsed > AT_ONCE_MS) assert.fail(`${server.url} still exchanges the token ${elapsed} ms after the change`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('exchanges an API key from `sluice apikeys create` on both servers, and both refuse it at once after `sluice apikeys revoke`', async () => {
    const created = await cli('apikeys', 'create', '--account', 'demo', '--label', 'nightly', '--expires', '90d');
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    const { jti } = JSON.parse(created.stderr.split('\n').find((line) => line.includes('"api-key.created"'))!) as { jti: string };
    for (const server of servers) assert.equal(await readReport(server, 'demo::role/_default', token), REPORT);
    const listed = JSON.parse((await cli('apikeys', 'list', '--account', 'demo', '--json')).stdout) as { jti: string; status: string; label: string }[];
    assert.deepEqual(listed.map((k) => [k.jti, k.status, k.label]), [[jti, 'active', 'nightly']]);

    const revoked = await cli('apikeys', 'revoke', jti);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /refuses its next exchange at once/);
    const since = Date.now();
    const took = await Promise.all(servers.map((s) => msUntilRefused(s, 'demo::role/_default', token, ['InvalidIdentityTokenException', /The API key has been revoked/], since)));
    assert.ok(took.every((ms) => ms <= AT_ONCE_MS), `refused after ${took.join(' and ')} ms`);
    const after = JSON.parse((await cli('apikeys', 'list', '--json')).stdout) as { jti: string; status: string }[];
    assert.deepEqual(after.map((k) => [k.jti, k.status]), [[jti, 'revoked']]);
  });

  it('registers a local issuer with `sluice idps add`; a role bound to it exchanges on both servers, refused at once after `sluice idps remove`', async () => {
    const added = await cli('idps', 'add', '--account', 'demo', '--id', 'campus-gitlab', '--issuer', campus.issuer, '--audience', 'sluice', '--claims', 'gitlab-ci', '--local');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(campus.hitCount('discovery'), 1, 'discovery checked at registration');
    const again = await cli('idps', 'add', '--account', 'demo', '--id', 'campus-gitlab', '--issuer', campus.issuer, '--audience', 'sluice', '--local');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has an identity provider with this id/);
    const listed = JSON.parse((await cli('idps', 'list', '--account', 'demo', '--json')).stdout) as { id: string; issuer: string; local: boolean }[];
    assert.deepEqual(listed.map((p) => [p.id, p.issuer, p.local]), [['campus-gitlab', campus.issuer, true]]);

    const rolePath = join(dir, 'ci-role.json');
    await writeFile(rolePath, JSON.stringify({
      account: 'demo', name: 'ci',
      bindings: [{ provider: 'campus-gitlab', audience: 'sluice', claims: [{ claim: 'project_path', operator: 'equals', value: 'demo/reports' }] }],
      permissions: [{ actions: ['read'], resources: ['*'] }],
    }));
    const put = await cli('roles', 'put', rolePath);
    assert.equal(put.code, 0, put.stderr);

    const token = await campus.sign(OidcIssuer.gitlabClaims({ project_path: 'demo/reports' }));
    for (const server of servers) assert.equal(await readReport(server, 'demo::role/ci', token), REPORT);

    const removed = await cli('idps', 'remove', '--account', 'demo', '--id', 'campus-gitlab');
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /refuses its tokens at once/);
    const since = Date.now();
    // A stored role naming a provider the account no longer has is disabled, so the exchange finds no role.
    const took = await Promise.all(servers.map((s) => msUntilRefused(s, 'demo::role/ci', token, ['InvalidParameterValue', /The role does not exist/], since)));
    assert.ok(took.every((ms) => ms <= AT_ONCE_MS), `refused after ${took.join(' and ')} ms`);
  });
});
