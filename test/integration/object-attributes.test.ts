/**
 * Object attributes end to end with the AWS SDK for JavaScript, on memory and
 * fs buckets: the SDK's own checksum (sent as a header or trailer) read back
 * with ChecksumMode, storage class in HEAD and listings, tag count, content
 * headers and Unicode user metadata.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKATTRIBUTESAAAAAA',
  secretAccessKey: 'secret-of-attributes-0123456789abcdef',
  account: 'research',
  label: 'attributes',
  status: 'active',
};

describe('object attributes through the AWS SDK', () => {
  let server: RunningServer;
  let s3: S3Client;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-attributes-'));
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

  for (const Bucket of ['mem', 'disk']) {
    test(`${Bucket}: every attribute a put sets comes back on GET, HEAD and in the listing`, async () => {
      const put = await s3.send(new PutObjectCommand({
        Bucket,
        Key: 'attrs/report.csv',
        Body: 'a,b\n1,2\n',
        ChecksumAlgorithm: 'SHA256',
        StorageClass: 'STANDARD_IA',
        Tagging: 'project=climate&stage=raw%20data',
        ContentType: 'text/csv',
        ContentDisposition: 'attachment; filename="report.csv"',
        ContentEncoding: 'identity',
        ContentLanguage: 'de-CH',
        CacheControl: 'max-age=60',
        Expires: new Date('2037-10-21T07:28:00Z'),
        // Text beyond Latin-1 cannot go in a header as it is: clients send it RFC 2047 encoded.
        Metadata: { owner: 'Zoe Muller', city: `=?UTF-8?B?${Buffer.from('東京').toString('base64')}?=` },
      }));
      assert.ok(put.ChecksumSHA256);
      const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'attrs/report.csv', ChecksumMode: 'ENABLED' }));
      assert.equal(await get.Body!.transformToString(), 'a,b\n1,2\n');
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'attrs/report.csv', ChecksumMode: 'ENABLED' }));
      for (const answer of [get, head]) {
        assert.equal(answer.ChecksumSHA256, put.ChecksumSHA256);
        assert.equal(answer.ChecksumType, 'FULL_OBJECT');
        assert.equal(answer.StorageClass, 'STANDARD_IA');
        assert.equal(answer.ContentType, 'text/csv');
        assert.equal(answer.ContentDisposition, 'attachment; filename="report.csv"');
        assert.equal(answer.ContentLanguage, 'de-CH');
        assert.equal(answer.CacheControl, 'max-age=60');
        assert.equal(answer.Expires?.toISOString(), '2037-10-21T07:28:00.000Z');
        // S3 returns non-ASCII metadata RFC 2047 encoded; the SDK passes it through as is.
        assert.equal(answer.Metadata?.owner, 'Zoe Muller', 'ASCII stays as it is');
        assert.equal(answer.Metadata?.city, `=?UTF-8?B?${Buffer.from('東京').toString('base64')}?=`);
      }
      assert.equal(get.TagCount, 2);
      const plain = await s3.send(new HeadObjectCommand({ Bucket, Key: 'attrs/report.csv' }));
      assert.equal(plain.ChecksumSHA256, undefined, 'the checksum only when asked for');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'attrs/' }));
      assert.equal(listed.Contents?.[0]?.StorageClass, 'STANDARD_IA');
    });

    test(`${Bucket}: a bad storage class or tag set is refused with S3's error`, async () => {
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'x', StorageClass: 'WARM' as never })), (error: unknown) =>
        error instanceof S3ServiceException && error.name === 'InvalidStorageClass' && error.$metadata.httpStatusCode === 400);
      const tooMany = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'x', Tagging: tooMany })), (error: unknown) =>
        error instanceof S3ServiceException && error.$metadata.httpStatusCode === 400);
      await assert.rejects(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad' })));
    });
  }
});
