/**
 * CopyObject end to end with the AWS SDK for JavaScript: within a bucket and
 * across connections of different kinds, metadata kept or replaced, source
 * preconditions, and both ends authorized.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKCOPIERAAAAAAAAAA',
  secretAccessKey: 'secret-of-copier-0123456789abcdefghij',
  account: 'research',
  label: 'copier',
  status: 'active',
};

async function fails(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, String(error));
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe('CopyObject', () => {
  let server: RunningServer;
  let s3: S3Client;
  let root: string;
  let memory: MemoryBackend;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-copy-'));
    memory = new MemoryBackend({ readOnly: false });
    await memory.put('src/report.csv', bytesBody('a,b\n1,2\n'), { contentType: 'text/csv', cacheControl: 'max-age=60', metadata: { origin: 'station-7' } });
    await memory.put('closed/secret.txt', bytesBody('secret'), { metadata: {} });
    const config = testConfig({
      buckets: [
        bucket('src', { public: false, prefix: 'src/' }),
        bucket('closed', { public: false, prefix: 'closed/' }),
        bucket('disk', { public: false, connection: 'disk' }),
        bucket('frozen', { public: false, prefix: 'frozen/', readOnly: true }),
      ],
    });
    config.accounts = [{
      name: 'research',
      grants: [{ bucket: 'src', actions: ['read', 'write'] }, { bucket: 'disk', actions: ['read', 'write'] }, { bucket: 'frozen', actions: ['read', 'write'] }],
    }];
    config.accessKeys = [KEY];
    server = await startServer(config, {
      backends: new Map<string, MemoryBackend | FsBackend>([['main', memory], ['disk', new FsBackend({ root, readOnly: false })]]),
    });
    s3 = signedClient(server.url, KEY);
  });
  after(async () => {
    s3.destroy();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  test('within a bucket: bytes and metadata are copied', async () => {
    const result = await s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'copy.csv', CopySource: 'src/report.csv' }));
    assert.match(result.CopyObjectResult?.ETag ?? '', /^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'src', Key: 'copy.csv' }));
    assert.equal(await got.Body!.transformToString(), 'a,b\n1,2\n');
    assert.equal(got.ContentType, 'text/csv');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.deepEqual(got.Metadata, { origin: 'station-7' });
  });

  test('across connections and backends (memory to fs), with REPLACE metadata', async () => {
    await s3.send(new CopyObjectCommand({
      Bucket: 'disk',
      Key: 'dir/report copy.csv',
      CopySource: encodeURIComponent('src/report.csv'),
      MetadataDirective: 'REPLACE',
      ContentType: 'text/plain',
      Metadata: { note: 'replaced' },
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'disk', Key: 'dir/report copy.csv' }));
    assert.equal(head.ContentType, 'text/plain');
    assert.deepEqual(head.Metadata, { note: 'replaced' });
    assert.equal(head.ContentLength, 8);
  });

  test('onto itself: refused without REPLACE, allowed with it', async () => {
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'report.csv', CopySource: 'src/report.csv' })), 'InvalidRequest', 400);
    await s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'report.csv', CopySource: 'src/report.csv', MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { origin: 'station-7', checked: 'yes' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'src', Key: 'report.csv' }));
    assert.deepEqual(head.Metadata, { origin: 'station-7', checked: 'yes' });
  });

  test('source preconditions: a mismatch is 412 and nothing is written', async () => {
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'guarded.csv', CopySource: 'src/report.csv', CopySourceIfMatch: '"00000000000000000000000000000000"' })), 'PreconditionFailed', 412);
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket: 'src', Key: 'report.csv' }));
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'guarded.csv', CopySource: 'src/report.csv', CopySourceIfNoneMatch: ETag })), 'PreconditionFailed', 412);
    await fails(s3.send(new HeadObjectCommand({ Bucket: 'src', Key: 'guarded.csv' })), 'NotFound', 404);
  });

  test('both ends are authorized: an unreadable source and an unwritable destination are 403', async () => {
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'stolen.txt', CopySource: 'closed/secret.txt' })), 'AccessDenied', 403);
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'frozen', Key: 'x.csv', CopySource: 'src/report.csv' })), 'AccessDenied', 403);
    await fails(s3.send(new HeadObjectCommand({ Bucket: 'src', Key: 'stolen.txt' })), 'NotFound', 404);
  });

  test('a missing source is 404 NoSuchKey', async () => {
    await fails(s3.send(new CopyObjectCommand({ Bucket: 'src', Key: 'x', CopySource: 'src/nothing-here' })), 'NoSuchKey', 404);
  });
});
