/**
 * Multipart uploads with real clients against the compiled launcher:
 * aws-cli (Debian's `awscli`, which switches to multipart above 8 MiB)
 * copies a 64 MiB file up and down, and boto3's managed transfers move a
 * file in 5 MiB parts; both come back with the same SHA-256.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type InteropGateway, UPLOADS_BUCKET, startInteropGateway, interopBackends } from './gateway-fixture.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const SCRIPT = fileURLToPath(new URL('./multipart_checks.py', import.meta.url));
const MiB = 1024 * 1024;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const kind of interopBackends()) describe(`multipart uploads with aws-cli and boto3 over ${kind}`, () => {
  let gateway: InteropGateway;
  let scratch: string;

  before(async () => {
    gateway = await startInteropGateway(kind);
    scratch = await mkdtemp(join(tmpdir(), 'sluice-multipart-interop-'));
  });
  after(async () => {
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  function env(): NodeJS.ProcessEnv {
    return isolatedAwsEnv(scratch, { AWS_ACCESS_KEY_ID: gateway.accessKeyId, AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey });
  }

  test('aws s3 cp of 64 MiB goes up in parts and comes down with the same SHA-256', async () => {
    const data = new Uint8Array(randomBytes(64 * MiB));
    const source = join(scratch, 'up.bin');
    const target = join(scratch, 'down.bin');
    await writeFile(source, data);
    await run(AWS, ['--endpoint-url', gateway.url, 's3', 'cp', source, `s3://${UPLOADS_BUCKET}/cli/big.bin`], { env: env(), maxBuffer: 16 * MiB });
    const head = JSON.parse((await run(AWS, ['--endpoint-url', gateway.url, 's3api', 'head-object', '--bucket', UPLOADS_BUCKET, '--key', 'cli/big.bin'], { env: env() })).stdout) as { ETag: string; ContentLength: number };
    assert.match(head.ETag, /^"[0-9a-f]{32}-8"$/, 'aws-cli uploaded in 8 MiB parts');
    assert.equal(head.ContentLength, 64 * MiB);
    await run(AWS, ['--endpoint-url', gateway.url, 's3', 'cp', `s3://${UPLOADS_BUCKET}/cli/big.bin`, target], { env: env(), maxBuffer: 16 * MiB });
    assert.equal(sha256(await readFile(target)), sha256(data));
  });

  test('boto3 upload_file and download_file with 5 MiB parts', async () => {
    const { stdout } = await run('/usr/bin/python3', [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        SLUICE_URL: gateway.url,
        SLUICE_KEY_ID: gateway.accessKeyId,
        SLUICE_SECRET: gateway.secretAccessKey,
        SLUICE_BUCKET: UPLOADS_BUCKET,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      maxBuffer: 16 * MiB,
    });
    const results = JSON.parse(stdout) as { etag: string; size: number; sha256_equal: boolean; part5: { parts_count: number; content_range: string; equal: boolean }; uploads_left: number };
    assert.match(results.etag, /^"[0-9a-f]{32}-5"$/);
    assert.equal(results.size, 23 * MiB);
    assert.equal(results.sha256_equal, true);
    assert.deepEqual(results.part5, { parts_count: 5, content_range: `bytes ${20 * MiB}-${23 * MiB - 1}/${23 * MiB}`, equal: true });
    assert.equal(results.uploads_left, 0);
  });
});
