/**
 * Conditional writes end to end with the AWS SDK for JavaScript: PutObject
 * and CopyObject with `If-None-Match: *` and `If-Match`, on memory and fs
 * buckets, and 50 clients racing to create one key through the gateway.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKCONDITIONALAAAAA',
  secretAccessKey: 'secret-of-conditional-0123456789abcdef',
  account: 'research',
  label: 'conditional',
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

describe('conditional writes', () => {
  let server: RunningServer;
  let s3: S3Client;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-conditional-'));
    const config = testConfig({ buckets: [bucket('mem', { public: false, prefix: 'mem/' }), bucket('disk', { public: false, connection: 'disk' })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'mem', actions: ['read', 'write'] }, { bucket: 'disk', actions: ['read', 'write'] }] }];
    config.accessKeys = [KEY];
    server = await startServer(config, {
      backends: new Map<string, MemoryBackend | FsBackend>([['main', new MemoryBackend()], ['disk', new FsBackend({ root, readOnly: false })]]),
    });
    s3 = signedClient(server.url, KEY);
  });
  after(async () => {
    s3.destroy();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const text = async (Bucket: string, Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

  for (const Bucket of ['mem', 'disk']) {
    test(`${Bucket}: PutObject with If-None-Match: * creates once, then 412 PreconditionFailed`, async () => {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'create-once', Body: 'first', IfNoneMatch: '*' }));
      await fails(s3.send(new PutObjectCommand({ Bucket, Key: 'create-once', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
      assert.equal(await text(Bucket, 'create-once'), 'first');
    });

    test(`${Bucket}: PutObject with If-Match replaces the matching version only; a missing key is 404`, async () => {
      const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v1' }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v2', IfMatch: ETag }));
      await fails(s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v3', IfMatch: ETag })), 'PreconditionFailed', 412);
      assert.equal(await text(Bucket, 'cas'), 'v2');
      await fails(s3.send(new PutObjectCommand({ Bucket, Key: 'never-written', Body: 'x', IfMatch: ETag })), 'NoSuchKey', 404);
    });

    test(`${Bucket}: CopyObject honours If-None-Match: * and If-Match on the destination`, async () => {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src', Body: 'source' }));
      await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-dst', CopySource: `${Bucket}/copy-src`, IfNoneMatch: '*' }));
      assert.equal(await text(Bucket, 'copy-dst'), 'source');
      await fails(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-dst', CopySource: `${Bucket}/copy-src`, IfNoneMatch: '*' })), 'PreconditionFailed', 412);
      await fails(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-dst', CopySource: `${Bucket}/copy-src`, IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
      const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-dst', Body: 'replaced' }));
      await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-dst', CopySource: `${Bucket}/copy-src`, IfMatch: ETag }));
      assert.equal(await text(Bucket, 'copy-dst'), 'source');
    });

    test(`${Bucket}: of 50 clients racing with If-None-Match: * exactly one creates the key`, async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: 'raced', Body: `client ${i}`, IfNoneMatch: '*' }))),
      );
      const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.ok(['PreconditionFailed', 'ConditionalRequestConflict'].includes((o.reason as Error).name), String(o.reason));
      }
      assert.equal(winners.length, 1);
      assert.equal(await text(Bucket, 'raced'), `client ${winners[0]}`);
    });
  }
});
