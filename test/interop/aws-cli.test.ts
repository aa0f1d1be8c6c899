/**
 * aws-cli (Debian's `awscli`) against a running Sluice with an access key
 * created by `sluice keys create`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BUCKET, type InteropGateway, PAGED_KEYS, startInteropGateway, interopBackends, UPLOADS_BUCKET } from './gateway-fixture.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

for (const kind of interopBackends()) describe(`aws-cli over ${kind}`, () => {
  let gateway: InteropGateway;
  let scratch: string;

  before(async () => {
    gateway = await startInteropGateway(kind);
    scratch = await mkdtemp(join(tmpdir(), 'sluice-awscli-'));
  });
  after(async () => {
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  function env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    return isolatedAwsEnv(scratch, { AWS_ACCESS_KEY_ID: gateway.accessKeyId, AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey, ...overrides });
  }

  async function aws(args: string[], overrides?: Record<string, string>): Promise<string> {
    const { stdout } = await run(AWS, ['--endpoint-url', gateway.url, ...args], { env: env(overrides) });
    return stdout;
  }

  /** Runs a command that must fail, returning its stderr. */
  async function awsFails(args: string[], overrides?: Record<string, string>): Promise<string> {
    try {
      await aws(args, overrides);
    } catch (error) {
      return (error as { stderr: string }).stderr;
    }
    assert.fail(`aws ${args.join(' ')} should have failed`);
  }

  test('s3 ls lists the restricted bucket', async () => {
    const listing = await aws(['s3', 'ls', `s3://${BUCKET}/`]);
    assert.match(listing, /PRE data\//);
    assert.match(listing, /PRE paged\//);
    assert.match(listing, /readme\.txt/);
  });

  test('s3 cp downloads an object byte for byte', async () => {
    const target = join(scratch, 'measurements.csv');
    await aws(['s3', 'cp', `s3://${BUCKET}/data/measurements.csv`, target]);
    assert.equal(await readFile(target, 'utf8'), gateway.objects['data/measurements.csv']);
  });

  test('s3api head-object and get-object --range', async () => {
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'readme.txt'])) as { ContentLength: number; ETag: string };
    assert.equal(head.ContentLength, gateway.objects['readme.txt']!.length);
    assert.match(head.ETag, /^"[0-9a-f]{32}"$/);
    const target = join(scratch, 'range.txt');
    const got = JSON.parse(await aws(['s3api', 'get-object', '--bucket', BUCKET, '--key', 'readme.txt', '--range', 'bytes=0-9', target])) as { ContentRange: string };
    assert.equal(got.ContentRange, `bytes 0-9/${gateway.objects['readme.txt']!.length}`);
    assert.equal(await readFile(target, 'utf8'), gateway.objects['readme.txt']!.slice(0, 10));
  });

  test('s3api list-objects-v2 paginates with --page-size', async () => {
    const result = JSON.parse(await aws(['s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', 'paged/', '--page-size', '4'])) as { Contents: { Key: string }[] };
    assert.equal(result.Contents.length, PAGED_KEYS);
    assert.deepEqual(result.Contents.map((c) => c.Key), Object.keys(gateway.objects).filter((k) => k.startsWith('paged/')).sort());
  });

  test('s3 presign, then curl', async () => {
    const url = (await aws(['s3', 'presign', `s3://${BUCKET}/readme.txt`, '--expires-in', '300'])).trim();
    const { stdout } = await run('curl', ['-sS', '--fail', url]);
    assert.equal(stdout, gateway.objects['readme.txt']);
  });

  test('an expired presigned URL → 403 AccessDenied "Request has expired"', async () => {
    const url = (await aws(['s3', 'presign', `s3://${BUCKET}/readme.txt`, '--expires-in', '1'])).trim();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', url]);
    assert.match(stdout, /<Code>AccessDenied<\/Code>/);
    assert.match(stdout, /Request has expired/);
    assert.match(stdout, /\n403$/);
  });

  test('a tampered presigned signature → 403 SignatureDoesNotMatch', async () => {
    const url = (await aws(['s3', 'presign', `s3://${BUCKET}/readme.txt`])).trim();
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', tampered]);
    assert.match(stdout, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.match(stdout, /\n403$/);
  });

  test('a wrong secret → SignatureDoesNotMatch; an unknown key → InvalidAccessKeyId', async () => {
    const wrong = await awsFails(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'readme.txt'], { AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) });
    assert.match(wrong, /403/);
    const wrongGet = await awsFails(['s3api', 'list-objects-v2', '--bucket', BUCKET], { AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) });
    assert.match(wrongGet, /SignatureDoesNotMatch/);
    const unknown = await awsFails(['s3api', 'list-objects-v2', '--bucket', BUCKET], { AWS_ACCESS_KEY_ID: 'SLAKUNKNOWNKEY234567' });
    assert.match(unknown, /InvalidAccessKeyId/);
  });

  test('without credentials (--no-sign-request) the restricted bucket is refused', async () => {
    const refused = await awsFails(['s3', 'ls', `s3://${BUCKET}/`, '--no-sign-request']);
    assert.match(refused, /AccessDenied/);
  });

  test('s3 cp uploads, s3api put-object keeps metadata, s3 rm deletes', async () => {
    const source = join(scratch, 'upload.txt');
    const content = `uploaded through ${kind}\n`.repeat(100);
    await writeFile(source, content);
    await aws(['s3', 'cp', source, `s3://${UPLOADS_BUCKET}/cli/upload.txt`]);
    const back = join(scratch, 'upload-back.txt');
    await aws(['s3', 'cp', `s3://${UPLOADS_BUCKET}/cli/upload.txt`, back]);
    assert.equal(await readFile(back, 'utf8'), content);
    await aws(['s3api', 'put-object', '--bucket', UPLOADS_BUCKET, '--key', 'cli/meta.txt', '--body', source, '--content-type', 'text/plain', '--metadata', 'owner=team-a,x-kebab-name=v']);
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', UPLOADS_BUCKET, '--key', 'cli/meta.txt'])) as { ContentType: string; Metadata: Record<string, string>; ContentLength: number };
    assert.equal(head.ContentType, 'text/plain');
    assert.equal(head.ContentLength, content.length);
    assert.deepEqual(head.Metadata, { owner: 'team-a', 'x-kebab-name': 'v' });
    await aws(['s3', 'rm', `s3://${UPLOADS_BUCKET}/cli/upload.txt`]);
    const listing = JSON.parse(await aws(['s3api', 'list-objects-v2', '--bucket', UPLOADS_BUCKET, '--prefix', 'cli/'])) as { Contents: { Key: string }[] };
    assert.deepEqual(listing.Contents.map((c) => c.Key), ['cli/meta.txt']);
  });

  test('writing to the read-only grant is refused', async () => {
    const source = join(scratch, 'denied.txt');
    await writeFile(source, 'x');
    assert.match(await awsFails(['s3', 'cp', source, `s3://${BUCKET}/denied.txt`]), /AccessDenied/);
  });
});
