/**
 * A fleet: two `sluice serve` processes (the compiled build) on one
 * PostgreSQL policy database and one Redis, both started here as
 * throwaway servers. A key revoked with `sluice keys revoke` is refused by
 * both within a second; a grant changed in the database applies in both; a
 * Redis killed under load loses no request. Skips, saying why, when the
 * PostgreSQL or Redis binaries are absent (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { PostgresPolicyStore } from '../../src/policy/postgres/postgres-store.ts';
import { assertBuildIsCurrent, launcher, repoRoot, runCli } from '../cli/run-cli.ts';
import { POSTGRES_SKIP_REASON, startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { REDIS_SKIP_REASON, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { signedClient } from '../support/s3-client.ts';

const SKIP = POSTGRES_SKIP_REASON ?? REDIS_SKIP_REASON;
if (SKIP) console.log(`# skipping the fleet tests: ${SKIP}`);

const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');

interface Instance {
  url: string;
  client(key: Credentials): S3Client;
  log(): string;
  stop(): Promise<void>;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

async function startInstance(configPath: string, env: Record<string, string>): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, [launcher, 'serve', '--config', configPath, '--listen', '127.0.0.1:0'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /"msg":"listening","url":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`sluice serve exited before listening: ${err}${out}`)));
  });
  return {
    url,
    client: (key) => signedClient(url, key),
    log: () => out + err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The HTTP status of a signed GET of `key` in bucket `data`. */
async function getStatus(instance: Instance, credentials: Credentials, key = 'hello.txt'): Promise<number> {
  try {
    const response = await instance.client(credentials).send(new GetObjectCommand({ Bucket: 'data', Key: key }));
    await response.Body?.transformToString();
    return response.$metadata.httpStatusCode ?? 0;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

/** Polls until `instance` answers `status`, returning the milliseconds it took; fails after `limitMs`. */
async function msUntilStatus(instance: Instance, credentials: Credentials, status: number, since: number, limitMs: number, key?: string): Promise<number> {
  for (;;) {
    const got = await getStatus(instance, credentials, key);
    const elapsed = Date.now() - since;
    if (got === status) return elapsed;
    if (elapsed > limitMs) assert.fail(`${instance.url} still answers ${got}, not ${status}, ${elapsed} ms after the change`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a Node fleet on PostgreSQL and Redis', { skip: SKIP }, () => {
  let cluster: PostgresCluster;
  let redis: RedisServer;
  let dir: string;
  let configPath: string;
  let env: Record<string, string>;
  let admin: PostgresPolicyStore;
  let a: Instance;
  let b: Instance;

  const createKey = async (label: string): Promise<Credentials> => {
    const result = await runCli(['keys', 'create', '--config', configPath, '--account', 'acme', '--label', label, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Credentials;
  };

  before(async () => {
    assertBuildIsCurrent();
    dir = await mkdtemp(join(tmpdir(), 'sluice-fleet-'));
    [cluster, redis] = await Promise.all([startPostgresCluster(), startRedisServer()]);
    const database = await cluster.createDatabase();
    env = { SLUICE_TEST_POSTGRES_URL: cluster.url(database), SLUICE_MASTER_KEY: MASTER_KEY };
    await mkdir(join(dir, 'objects', 'data', 'private'), { recursive: true });
    await writeFile(join(dir, 'objects', 'data', 'hello.txt'), 'hello fleet');
    await writeFile(join(dir, 'objects', 'data', 'private', 'x.txt'), 'private');
    configPath = join(dir, 'sluice.yaml');
    await writeFile(configPath, [
      'server:',
      '  listen: 127.0.0.1:0',
      'connections:',
      '  shared:',
      '    type: fs',
      '    root: objects',
      'buckets:',
      '  data:',
      '    connection: shared',
      '    prefix: data/',
      'policy:',
      '  postgresUrl: ${env:SLUICE_TEST_POSTGRES_URL}',
      `  redisUrl: ${redis.url}`,
      '  masterKey: ${env:SLUICE_MASTER_KEY}',
      // Far longer than any wait below: what shows at once shows through notifications.
      '  cacheTtlSeconds: 60',
      '',
    ].join('\n'));

    const migrated = await runCli(['db', 'migrate', '--config', configPath], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /migrated the PostgreSQL policy database from schema version 0 to \d+/);

    admin = await PostgresPolicyStore.open(env.SLUICE_TEST_POSTGRES_URL!, { masterKey: Buffer.from(MASTER_KEY, 'base64'), listen: false });
    await admin.putAccount('acme');
    await admin.putGrant({ account: 'acme', bucket: 'data', actions: ['read'] });
    [a, b] = await Promise.all([startInstance(configPath, env), startInstance(configPath, env)]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await admin?.close();
    await Promise.all([cluster?.stop(), redis?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shares policy lookups through Redis, sealed', async () => {
    const key = await createKey('shared');
    assert.equal(await getStatus(a, key), 200);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const names = await client.keys('sluice:policy:v1:*');
      assert.ok(names.includes(`sluice:policy:v1:key:${key.accessKeyId}`), `shared entries: ${names.join(', ')}`);
      const stored = await client.get(`sluice:policy:v1:key:${key.accessKeyId}`);
      assert.ok(stored && !stored.includes(key.secretAccessKey), 'the secret is not readable in Redis');
    } finally {
      client.disconnect();
    }
    assert.equal(await getStatus(b, key), 200);
  });

  it('refuses a key revoked with `sluice keys revoke` on both instances within a second', async () => {
    const key = await createKey('revoked');
    assert.equal(await getStatus(a, key), 200);
    assert.equal(await getStatus(b, key), 200);
    const revoked = await runCli(['keys', 'revoke', '--config', configPath, key.accessKeyId], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const since = Date.now();
    const [onA, onB] = await Promise.all([msUntilStatus(a, key, 403, since, 1000), msUntilStatus(b, key, 403, since, 1000)]);
    assert.ok(onA <= 1000 && onB <= 1000, `refused after ${onA} ms and ${onB} ms`);
  });

  it('applies a grant changed in the database on both instances at once', async () => {
    const key = await createKey('grants');
    assert.equal(await getStatus(b, key, 'private/x.txt'), 200);
    await admin.putGrant({ account: 'acme', bucket: 'data', actions: ['read'], prefixes: ['hello.txt'] });
    let since = Date.now();
    try {
      await Promise.all([msUntilStatus(a, key, 403, since, 1000, 'private/x.txt'), msUntilStatus(b, key, 403, since, 1000, 'private/x.txt')]);
      assert.equal(await getStatus(b, key, 'hello.txt'), 200);
    } finally {
      await admin.putGrant({ account: 'acme', bucket: 'data', actions: ['read'] });
    }
    since = Date.now();
    await Promise.all([msUntilStatus(a, key, 200, since, 1000, 'private/x.txt'), msUntilStatus(b, key, 200, since, 1000, 'private/x.txt')]);
  });

  it('loses no request when Redis is killed under load, and warns', async () => {
    const keys = await Promise.all([createKey('load-1'), createKey('load-2'), createKey('load-3')]);
    const total = 300;
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        if (i === 100) await redis.kill();
        if (i === 250) await redis.restart();
        statuses.push(await getStatus(i % 2 ? a : b, keys[i % keys.length]!));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    assert.equal(statuses.length, total);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], 'every request succeeded');
    assert.match(a.log() + b.log(), /"level":"warn"[^\n]*(Redis|shared cache)/);
  });
});
