/**
 * The production Workers entry with its policy in D1 (`policy.type: d1`),
 * set up the way the deployment guide says: the schema's migration files
 * from `sluice d1 migrations` applied by wrangler (`d1 migrations apply
 * --local`), an access key made by `sluice d1 create-key` and its SQL applied
 * by `wrangler d1 execute`, then the entry bundled and run in workerd over
 * that same database. The key signs requests the AWS SDK sends; revoking it
 * with the SQL `sluice d1 revoke-key` prints makes the Worker refuse it once
 * its cache TTL has passed. A Worker whose binding is missing, or whose
 * database has no schema, fails its start with a message saying why.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { createD1Command } from '../../src/cli/commands/d1.ts';
import type { CliIo } from '../../src/cli/command.ts';
import { validateWorkersConfig } from '../../src/runtimes/workers/config.ts';
import { signedClient } from '../support/s3-client.ts';
import { type RunningWorker, startWorker } from './workerd.ts';

const ENTRY = fileURLToPath(new URL('../../src/runtimes/workers/entry.ts', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const DATABASE = 'sluice-policy';
const DATABASE_ID = '5a1c0000-0000-4000-8000-00000000d1d1';

// The account and its grant are in the file; the key lives in D1 only.
const CONFIG = `
server:
  accessLog: false
connections:
  scratch: { type: memory }
buckets:
  reports: { connection: scratch, public: false }
accounts:
  research:
    grants: [{ bucket: reports, actions: [read, write] }]
policy:
  type: d1
  binding: SLUICE_DB
  masterKey: "\${env:SLUICE_MASTER_KEY}"
  cacheTtlSeconds: 1
`;

const WRANGLER_TOML = `
name = "sluice-d1-test"
main = "worker.js"
compatibility_date = "2026-04-01"

[[d1_databases]]
binding = "SLUICE_DB"
database_name = "${DATABASE}"
database_id = "${DATABASE_ID}"
migrations_dir = "migrations"
`;

/** Runs `wrangler` in `cwd` against the local (persisted) database; its whole output when it fails. */
function wrangler(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WRANGLER, ...args], {
      cwd,
      timeout: 180_000,
      env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: join(cwd, 'wrangler-logs'), NO_COLOR: '1' },
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrangler ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Runs `sluice d1 …` in-process, reading the configuration as the Worker does (`${env:…}` from `env`). */
async function sluiceD1(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const command = createD1Command({
    loadConfig: async (file) => validateWorkersConfig(await readFile(file, 'utf8'), env, file),
    now: () => new Date(),
  });
  const code = await command.run(args, io);
  return { code, out, err };
}

describe('the Workers entry with its policy in D1', () => {
  let dir: string;
  let worker: RunningWorker;
  let key: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-d1-policy-'));
    await writeFile(join(dir, 'wrangler.toml'), WRANGLER_TOML);
    await writeFile(join(dir, 'sluice.yaml'), CONFIG);
    const state = join(dir, 'state');

    const migrations = await sluiceD1(['migrations', join(dir, 'migrations')]);
    assert.equal(migrations.code, 0, migrations.err.join('\n'));
    await wrangler(dir, ['d1', 'migrations', 'apply', DATABASE, '--local', '--persist-to', state]);

    const created = await sluiceD1(
      ['create-key', '--config', join(dir, 'sluice.yaml'), '--account', 'research', '--label', 'd1 test', '--out', join(dir, 'key.sql'), '--json'],
      { SLUICE_MASTER_KEY: MASTER_KEY },
    );
    assert.equal(created.code, 0, created.err.join('\n'));
    key = JSON.parse(created.out[0]!) as typeof key;
    await wrangler(dir, ['d1', 'execute', DATABASE, '--local', '--persist-to', state, '--file', join(dir, 'key.sql')]);

    worker = await startWorker(ENTRY, { SLUICE_CONFIG: CONFIG, SLUICE_MASTER_KEY: MASTER_KEY }, {
      d1Databases: { SLUICE_DB: DATABASE_ID },
      d1Persist: join(state, 'v3', 'd1'),
      captureOutput: true,
    });
  });
  after(async () => {
    await worker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('authenticates a key stored in D1: the AWS SDK writes and reads back an object with it', async () => {
    const s3 = signedClient(worker.origin, key);
    await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'q1.csv', Body: 'region,total\nnorth,42\n' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'q1.csv' }));
    assert.equal(await got.Body?.transformToString(), 'region,total\nnorth,42\n');
    assert.doesNotMatch(worker.output(), /cannot start/);
  });

  it('refuses the key once it is revoked in D1 and the policy cache TTL has passed', async () => {
    const s3 = signedClient(worker.origin, key);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'q1.csv' }))).$metadata.httpStatusCode, 200);

    const revoke = await sluiceD1(['revoke-key', key.accessKeyId]);
    assert.equal(revoke.code, 0, revoke.err.join('\n'));
    const db = await worker.d1('SLUICE_DB');
    assert.equal((await db.prepare(revoke.out[0]!).run()).meta.changes, 1);

    // cacheTtlSeconds is 1: past it, the Worker reads the key again and finds it revoked.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const refused = await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'q1.csv' })).then(
      () => assert.fail('a revoked key must be refused'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof S3ServiceException, String(refused));
    assert.equal(refused.$metadata.httpStatusCode, 403);
    assert.equal(refused.name, 'InvalidAccessKeyId');
  });
});

describe('a Worker whose D1 policy store cannot be opened', () => {
  const bindings = { SLUICE_CONFIG: CONFIG, SLUICE_MASTER_KEY: MASTER_KEY };

  /** The one request's answer, and the start failure the Worker logged. */
  async function startFailure(worker: RunningWorker): Promise<string> {
    const response = await fetch(`${worker.origin}/reports/q1.csv`);
    const body = await response.text();
    assert.equal(response.status, 500, body);
    assert.match(body, /<Code>InternalError<\/Code>/);
    assert.doesNotMatch(body, /SLUICE_DB|wrangler/, 'the cause stays in the log');
    // console.log lines reach workerd's stdout asynchronously.
    for (let i = 0; i < 50 && !/cannot start/.test(worker.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const line = worker.output().split('\n').find((l) => l.includes('the gateway cannot start'));
    assert.ok(line, worker.output());
    return (JSON.parse(line.slice(line.indexOf('{'))) as { error: string }).error;
  }

  it('fails its start naming the missing binding and where to declare it', async (t) => {
    const worker = await startWorker(ENTRY, bindings, { captureOutput: true });
    t.after(() => worker.stop());
    assert.equal(
      await startFailure(worker),
      'policy.binding: the Worker has no binding named SLUICE_DB; declare the D1 database in wrangler.toml under [[d1_databases]] with binding = "SLUICE_DB"',
    );
  });

  it('fails its start on a database without the schema, saying how to apply the migrations', async (t) => {
    const worker = await startWorker(ENTRY, bindings, { d1Databases: ['SLUICE_DB'], captureOutput: true });
    t.after(() => worker.stop());
    const error = await startFailure(worker);
    assert.match(error, /^the D1 policy database has no Sluice schema yet: /);
    assert.match(error, /sluice d1 migrations DIR.*npx wrangler d1 migrations apply DATABASE --remote/);
  });
});
