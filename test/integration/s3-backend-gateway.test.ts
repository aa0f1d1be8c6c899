/**
 * Sluice over an S3-compatible backend (moto's S3 server, a real peer), read
 * and written by the AWS SDK for JavaScript: bytes, ranges, conditionals and
 * listings pass through with S3 semantics, and an unreachable backend is an
 * opaque 503.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  UploadPartCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKS3BACKENDAAAAAAA',
  secretAccessKey: 'writer-secret-0123456789abcdef',
  account: 'research',
  label: 'writer',
  status: 'active',
};

const skip = motoUnavailableReason();

describe('gateway over the S3 backend (moto)', { skip }, () => {
  let peer: S3Peer;
  let server: RunningServer;
  let s3: S3Client;
  const http = createNodeHttpClient();

  before(async () => {
    // moto's own signature check mis-handles encoded delimiters in list queries; signing is covered elsewhere.
    peer = await startMotoServer({ verifySignatures: false });
    const backend = new S3Backend({
      endpoint: peer.endpoint,
      region: peer.region,
      bucket: peer.bucket,
      forcePathStyle: true,
      prefix: 'base/',
      credentials: peer.credentials,
      http,
    });
    const unreachable = new S3Backend({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      bucket: 'nowhere',
      forcePathStyle: true,
      prefix: '',
      http,
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const config = testConfig({
      buckets: [bucket('remote', { public: false }), bucket('down', { connection: 'down', public: true })],
    });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'remote', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, { backends: new Map([['main', backend], ['down', unreachable]]) });
    s3 = signedClient(server.url, { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey });
    for (let i = 0; i < 12; i++) {
      await s3.send(new PutObjectCommand({ Bucket: 'remote', Key: `series/${String(i).padStart(2, '0')}/value.txt`, Body: `value ${i}` }));
    }
  });

  after(async () => {
    s3?.destroy();
    await server?.close();
    http.close();
    await peer?.stop();
  });

  test('objects written through the gateway land under the connection prefix and read back', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'remote', Key: 'report.csv', Body: 'a,b\n1,2\n', ContentType: 'text/csv', Metadata: { source: 'gw' } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'remote', Key: 'report.csv' }));
    assert.equal(await got.Body!.transformToString(), 'a,b\n1,2\n');
    assert.equal(got.ContentType, 'text/csv');
    assert.deepEqual(got.Metadata, { source: 'gw' });
    const whole = new S3Backend({ endpoint: peer.endpoint, region: peer.region, bucket: peer.bucket, forcePathStyle: true, prefix: '', credentials: peer.credentials, http });
    const stored = await whole.head('base/report.csv');
    assert.equal(stored.size, 8, 'the object sits at the backend under the connection prefix');
  });

  test('ranges and conditional requests pass through', async () => {
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'remote', Key: 'series/03/value.txt', Range: 'bytes=2-4' }));
    assert.equal(ranged.$metadata.httpStatusCode, 206);
    assert.equal(await ranged.Body!.transformToString(), 'lue');
    assert.equal(ranged.ContentRange, 'bytes 2-4/7');
    const etag = ranged.ETag!;
    try {
      await s3.send(new GetObjectCommand({ Bucket: 'remote', Key: 'series/03/value.txt', IfNoneMatch: etag }));
      assert.fail('expected 304');
    } catch (error) {
      assert.ok(error instanceof S3ServiceException);
      assert.equal(error.$metadata.httpStatusCode, 304);
    }
  });

  test('listing pages through common prefixes with the backend\'s own tokens wrapped in ours', async () => {
    const prefixes: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 5 }, { Bucket: 'remote', Prefix: 'series/', Delimiter: '/' })) {
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
    }
    assert.deepEqual(prefixes, Array.from({ length: 12 }, (_, i) => `series/${String(i).padStart(2, '0')}/`));
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'remote', Prefix: 'series/' }));
    assert.equal(all.KeyCount, 12);
    assert.ok(all.Contents!.every((c) => c.Key!.startsWith('series/')), 'the connection prefix never shows');
  });

  test('GetObject and HeadObject with partNumber are answered by the store, part by part', async (t) => {
    const key = 'parts/object.bin';
    const part1 = new Uint8Array(5 * 1024 * 1024).map((_, i) => i & 0xff);
    const part2 = new TextEncoder().encode('second and last part');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'remote', Key: key }));
    const parts = [];
    for (const [i, Body] of [part1, part2].entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'remote', Key: key, UploadId, PartNumber: i + 1, Body }));
      parts.push({ PartNumber: i + 1, ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'remote', Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    const total = part1.length + part2.length;
    const second: GetObjectCommandOutput | unknown = await s3.send(new GetObjectCommand({ Bucket: 'remote', Key: key, PartNumber: 2 })).catch((error: unknown) => error);
    if (second instanceof S3ServiceException) {
      // moto ignores partNumber and answers the whole object: the gateway must refuse rather than serve it as the part.
      assert.equal(second.$metadata.httpStatusCode, 501);
      assert.equal(second.name, 'NotImplemented');
      t.skip('moto ignores partNumber on GetObject/HeadObject (it answers the whole object), so only the refusal is checked');
      return;
    }
    assert.ok(!(second instanceof Error), String(second));
    const got = second as GetObjectCommandOutput;
    assert.equal(got.$metadata.httpStatusCode, 206);
    assert.equal(got.PartsCount, 2);
    assert.equal(got.ContentRange, `bytes ${part1.length}-${total - 1}/${total}`);
    assert.equal(await got.Body!.transformToString(), 'second and last part');
    const first = await s3.send(new HeadObjectCommand({ Bucket: 'remote', Key: key, PartNumber: 1 }));
    assert.equal(first.ContentLength, part1.length);
    assert.equal(first.PartsCount, 2);
  });

  test('a missing key is 404 NoSuchKey', async () => {
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'remote', Key: 'nope' })), (error: unknown) =>
      error instanceof S3ServiceException && error.name === 'NoSuchKey');
  });

  test('an unreachable backend is 503 ServiceUnavailable with an opaque message', async () => {
    const response = await fetch(`${server.url}/down/anything`);
    assert.equal(response.status, 503);
    const xml = await response.text();
    assert.match(xml, /<Code>ServiceUnavailable<\/Code>/);
    assert.doesNotMatch(xml, /127\.0\.0\.1|ECONNREFUSED/);
  });
});
