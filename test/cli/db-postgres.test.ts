/**
 * The CLI (compiled build) against a throwaway PostgreSQL cluster:
 * `sluice serve` refuses an unmigrated database and names the command that
 * migrates it, `sluice db migrate` migrates once and then has nothing to do,
 * `sluice keys` manages keys there, and a database a newer Sluice migrated
 * is refused by both.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES_SCHEMA_VERSION } from '../../src/policy/postgres/schema.ts';
import { POSTGRES_SKIP_REASON, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { assertBuildIsCurrent, runCli } from './run-cli.ts';

if (POSTGRES_SKIP_REASON) console.log(`# skipping the PostgreSQL CLI tests: ${POSTGRES_SKIP_REASON}`);

const MASTER_KEY = Buffer.alloc(32, 11).toString('base64');

describe('sluice with a PostgreSQL policy store', { skip: POSTGRES_SKIP_REASON }, () => {
  let cluster: PostgresCluster;
  let dir: string;

  before(async () => {
    assertBuildIsCurrent();
    cluster = await startPostgresCluster();
    dir = await mkdtemp(join(tmpdir(), 'sluice-db-cli-'));
  });
  after(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function configFor(name: string): Promise<{ path: string; env: Record<string, string>; url: string }> {
    const url = cluster.url(await cluster.createDatabase());
    const path = join(dir, `${name}.yaml`);
    await writeFile(path, [
      'server:', '  listen: 127.0.0.1:0',
      'accounts:', '  research: {}',
      'policy:', '  postgresUrl: ${env:SLUICE_TEST_POSTGRES_URL}', '  masterKey: ${env:SLUICE_MASTER_KEY}', '',
    ].join('\n'));
    return { path, url, env: { SLUICE_TEST_POSTGRES_URL: url, SLUICE_MASTER_KEY: MASTER_KEY } };
  }

  it('refuses to serve an unmigrated database, migrates once, then manages keys there', async () => {
    const { path, env } = await configFor('fresh');
    const refused = await runCli(['serve', '--config', path], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"msg":"failed to start".*no Sluice schema yet; run `sluice db migrate --config FILE` first/);
    assert.ok(!refused.stderr.includes(env.SLUICE_TEST_POSTGRES_URL!), 'the URL is not printed');

    const migrated = await runCli(['db', 'migrate', '--config', path], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.equal(migrated.stdout, `migrated the PostgreSQL policy database from schema version 0 to ${POSTGRES_SCHEMA_VERSION}\n`);
    const again = await runCli(['db', 'migrate', '--config', path], env);
    assert.equal(again.stdout, `the PostgreSQL policy database is at schema version ${POSTGRES_SCHEMA_VERSION}; nothing to do\n`);

    const created = await runCli(['keys', 'create', '--config', path, '--account', 'research', '--label', 'ci', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { accessKeyId } = JSON.parse(created.stdout) as { accessKeyId: string };
    const listed = await runCli(['keys', 'list', '--config', path, '--json'], env);
    assert.deepEqual((JSON.parse(listed.stdout) as { accessKeyId: string; status: string }[]).map((k) => [k.accessKeyId, k.status]), [[accessKeyId, 'active']]);
    assert.equal((await runCli(['keys', 'revoke', '--config', path, accessKeyId], env)).code, 0);
    const after = await runCli(['keys', 'list', '--config', path, '--json'], env);
    assert.equal((JSON.parse(after.stdout) as { status: string }[])[0]!.status, 'revoked');
    const missing = await runCli(['keys', 'revoke', '--config', path, 'SLAKNOSUCHKEYAAAAAAA'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no access key SLAKNOSUCHKEYAAAAAAA in the PostgreSQL policy database/);
  });

  it('refuses a database migrated by a newer Sluice, in serve, keys and db migrate alike', async () => {
    const { path, env, url } = await configFor('newer');
    assert.equal((await runCli(['db', 'migrate', '--config', path], env)).code, 0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('UPDATE sluice_schema SET version = 99');
    await client.end();
    for (const args of [['serve', '--config', path], ['keys', 'list', '--config', path], ['db', 'migrate', '--config', path]]) {
      const result = await runCli(args, env);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, new RegExp(`has schema version 99; this Sluice supports up to ${POSTGRES_SCHEMA_VERSION}`), args.join(' '));
    }
  });

  it('reports an unreachable database without hanging or printing the password', async () => {
    const { path } = await configFor('unreachable');
    const env = { SLUICE_TEST_POSTGRES_URL: 'postgresql://sluice:s3cretpw@127.0.0.1:1/none', SLUICE_MASTER_KEY: MASTER_KEY };
    const result = await runCli(['db', 'migrate', '--config', path], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot connect to the PostgreSQL policy database/);
    assert.ok(!result.stderr.includes('s3cretpw'));
  });
});
