/**
 * examples/self-hosted.yaml served by `sluice serve` as a general-purpose S3
 * server: aws-cli (`s3 mb`, `cp`, `rb` refused while the bucket holds
 * objects, `rm --recursive`, `rb`) and boto3 (`create_bucket`,
 * `delete_bucket` and S3's errors for taken and invalid names), with the
 * buckets' folders checked on disk.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, serveCli } from '../cli/run-cli.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const SCRIPT = fileURLToPath(new URL('./self_hosted_checks.py', import.meta.url));
const KEY_ID = 'SLAKOWNERAAAAAAAAAAA';
const SECRET = 'self-hosted-owner-secret-0123456789';

describe('examples/self-hosted.yaml with aws-cli and boto3', () => {
  let dir: string;
  let server: { url: string; stop(): Promise<void> };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-self-hosted-'));
    // The example as shipped, next to its own data folder and database.
    await copyFile(join(repoRoot, 'examples', 'self-hosted.yaml'), join(dir, 'sluice.yaml'));
    await mkdir(join(dir, 'self-hosted-data'));
    server = await serveCli(join(dir, 'sluice.yaml'), { SLUICE_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'), SLUICE_OWNER_SECRET: SECRET });
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function aws(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(AWS, ['--endpoint-url', server.url, ...args], {
        env: isolatedAwsEnv(dir, { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }),
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  test('aws s3 mb, cp, rb refused while not empty, rm --recursive, rb', async () => {
    const folder = join(dir, 'self-hosted-data', 'newbucket');
    const made = await aws(['s3', 'mb', 's3://newbucket']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /make_bucket: newbucket/);
    assert.ok(existsSync(folder));

    const local = join(dir, 'report.txt');
    await writeFile(local, 'quarterly numbers\n');
    const copied = await aws(['s3', 'cp', local, 's3://newbucket/reports/q1.txt']);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(await readFile(join(folder, 'reports', 'q1.txt'), 'utf8'), 'quarterly numbers\n');
    const listed = await aws(['s3', 'ls']);
    assert.match(listed.stdout, /newbucket/);

    const refused = await aws(['s3', 'rb', 's3://newbucket']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /BucketNotEmpty/);
    assert.ok(existsSync(join(folder, 'reports', 'q1.txt')));

    const removed = await aws(['s3', 'rm', '--recursive', 's3://newbucket']);
    assert.equal(removed.code, 0, removed.stderr);
    const deleted = await aws(['s3', 'rb', 's3://newbucket']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /remove_bucket: newbucket/);
    assert.ok(!existsSync(folder));
    assert.doesNotMatch((await aws(['s3', 'ls'])).stdout, /newbucket/);
  });

  test('boto3 create_bucket and delete_bucket, with S3\'s errors', async () => {
    const { stdout } = await run('/usr/bin/python3', [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        SLUICE_URL: server.url,
        SLUICE_KEY_ID: KEY_ID,
        SLUICE_SECRET: SECRET,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    const results = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(results.create, { status: 200, location: '/boto-bucket', listed: true });
    assert.deepEqual(results.create_again, ['BucketAlreadyOwnedByYou', 409]);
    assert.deepEqual(results.invalid_name, ['InvalidBucketName', 400]);
    assert.deepEqual(results.other_region, ['IllegalLocationConstraintException', 400]);
    assert.deepEqual(results.delete_not_empty, ['BucketNotEmpty', 409]);
    assert.deepEqual(results.delete, { status: 204, listed: false });
    assert.deepEqual(results.delete_again, ['NoSuchBucket', 404]);
  });
});
