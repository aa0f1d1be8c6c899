/**
 * Multipart uploads end to end with the AWS SDK for JavaScript against the
 * Node server: `lib-storage`'s `Upload` of 100 MiB onto the memory and fs
 * backends checked byte for byte, GetObject by part number, the S3 errors
 * of each step, upload ids bound to their bucket and key, aborts that leave
 * nothing, and 501 on a backend without multipart.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, type S3Client, S3ServiceException,
  UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKUPLOADERAAAAAAAA',
  secretAccessKey: 'secret-of-uploader-0123456789abcdefgh',
  account: 'research',
  label: 'uploader',
  status: 'active',
};
const READER: AccessKeyConfig = { ...KEY, accessKeyId: 'SLAKREADERAAAAAAAAAA', account: 'readers', label: 'reader' };
const MiB = 1024 * 1024;

async function fails(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, String(error));
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A backend without the multipart capability. */
function plainBackend(inner: MemoryBackend): Backend {
  return {
    kind: 'plain',
    head: (k, o) => inner.head(k, o),
    get: (k, o) => inner.get(k, o),
    list: (p) => inner.list(p),
    put: (k, b, m, o) => inner.put(k, b, m, o),
    delete: (k) => inner.delete(k),
  };
}

describe('multipart uploads', () => {
  let server: RunningServer;
  let s3: S3Client;
  let reader: S3Client;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-multipart-'));
    const config = testConfig({
      buckets: [
        bucket('mem', { public: false, prefix: 'mem/' }),
        bucket('other', { public: false, prefix: 'other/' }),
        bucket('disk', { public: false, connection: 'disk', prefix: '' }),
        bucket('plain', { public: false, connection: 'plain', prefix: '' }),
      ],
    });
    config.accounts = [
      { name: 'research', grants: ['mem', 'other', 'disk', 'plain'].map((b) => ({ bucket: b, actions: ['read' as const, 'write' as const] })) },
      { name: 'readers', grants: [{ bucket: 'mem', actions: ['read'] }] },
    ];
    config.accessKeys = [KEY, READER];
    server = await startServer(config, {
      backends: new Map<string, Backend>([
        ['main', new MemoryBackend({ maxBytes: 512 * MiB })],
        ['disk', new FsBackend({ root, readOnly: false })],
        ['plain', plainBackend(new MemoryBackend())],
      ]),
    });
    s3 = signedClient(server.url, KEY);
    reader = signedClient(server.url, READER);
  });
  after(async () => {
    s3.destroy();
    reader.destroy();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const target of ['mem', 'disk']) {
    test(`lib-storage Upload of 100 MiB to ${target} arrives byte for byte, and each part reads back by number`, async () => {
      const data = new Uint8Array(randomBytes(100 * MiB));
      const upload = new Upload({ client: s3, params: { Bucket: target, Key: 'big/blob.bin', Body: data }, partSize: 8 * MiB, queueSize: 4 });
      const result = await upload.done();
      assert.match(result.ETag ?? '', /^"[0-9a-f]{32}-13"$/);
      const got = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'big/blob.bin' }));
      const back = await got.Body!.transformToByteArray();
      assert.equal(back.length, data.length);
      assert.equal(sha256(back), sha256(data));
      const part = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'big/blob.bin', PartNumber: 13 }));
      assert.equal(part.$metadata.httpStatusCode, 206);
      assert.equal(part.PartsCount, 13);
      assert.equal(part.ContentRange, `bytes ${96 * MiB}-${100 * MiB - 1}/${100 * MiB}`);
      assert.equal(sha256(await part.Body!.transformToByteArray()), sha256(data.subarray(96 * MiB)));
      const head = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'big/blob.bin', PartNumber: 2 }));
      assert.equal(head.ContentLength, 8 * MiB);
      // HEAD answers carry no body, so the SDK sees only the status.
      await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: target, Key: 'big/blob.bin', PartNumber: 14 })), (error: S3ServiceException) => error.$metadata.httpStatusCode === 416);
    });
  }

  test('an object written whole is one part: partNumber=1 is all of it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'mem', Key: 'whole.txt', Body: 'whole object' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'mem', Key: 'whole.txt', PartNumber: 1 }));
    assert.equal(await got.Body!.transformToString(), 'whole object');
    await fails(s3.send(new GetObjectCommand({ Bucket: 'mem', Key: 'whole.txt', PartNumber: 2 })), 'InvalidPartNumber', 416);
  });

  test('the steps one by one: list parts, list uploads, complete, and the S3 errors on the way', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mem', Key: 'steps/obj', ContentType: 'text/plain', Metadata: { a: 'b' } }));
    assert.ok(UploadId);
    const part1 = new Uint8Array(5 * MiB).fill(1);
    const p1 = await s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'steps/obj', UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'steps/obj', UploadId, PartNumber: 2, Body: 'tail' }));
    await fails(s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'steps/obj', UploadId, PartNumber: 10001, Body: 'x' })), 'InvalidArgument', 400);
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'mem', Key: 'steps/obj', UploadId, MaxParts: 1 }));
    assert.equal(parts.IsTruncated, true);
    assert.equal(parts.NextPartNumberMarker, '1');
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, p1.ETag, 5 * MiB]]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mem', Prefix: 'steps/' }));
    assert.deepEqual(uploads.Uploads?.map((u) => [u.Key, u.UploadId]), [['steps/obj', UploadId]]);
    await fails(s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'steps/obj', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }] },
    })), 'InvalidPartOrder', 400);
    await fails(s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'steps/obj', UploadId, MultipartUpload: { Parts: [{ PartNumber: 3, ETag: p2.ETag }] },
    })), 'InvalidPart', 400);
    await fails(s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'steps/obj', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 3, ETag: p2.ETag }] },
    })), 'InvalidPart', 400);
    const done = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'steps/obj', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
    }));
    assert.match(done.ETag ?? '', /-2"$/);
    assert.equal(done.Key, 'steps/obj');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'mem', Key: 'steps/obj' }));
    assert.equal(head.ContentLength, 5 * MiB + 4);
    assert.equal(head.ContentType, 'text/plain');
    assert.deepEqual(head.Metadata, { a: 'b' });
    await fails(s3.send(new ListPartsCommand({ Bucket: 'mem', Key: 'steps/obj', UploadId })), 'NoSuchUpload', 404);
  });

  test('a part is checked like a PutObject body: a wrong Content-MD5 stores nothing', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'disk', Key: 'digest' }));
    await fails(s3.send(new UploadPartCommand({
      Bucket: 'disk', Key: 'digest', UploadId, PartNumber: 1, Body: 'part body', ContentMD5: '1B2M2Y8AsgTpgAmY7PhCfg==',
    })), 'BadDigest', 400);
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'disk', Key: 'digest', UploadId }));
    assert.equal(parts.Parts, undefined);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'disk', Key: 'digest', UploadId }));
  });

  test('a completion body that is not the parts list is MalformedXML', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mem', Key: 'xml' }));
    await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mem', Key: 'xml', UploadId, MultipartUpload: { Parts: [] } })), 'MalformedXML', 400);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mem', Key: 'xml', UploadId }));
  });

  test('a small part before the last is EntityTooSmall', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mem', Key: 'small' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'small', UploadId, PartNumber: 1, Body: 'a' }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'small', UploadId, PartNumber: 2, Body: 'b' }));
    await fails(s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'small', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
    })), 'EntityTooSmall', 400);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mem', Key: 'small', UploadId }));
  });

  test('an upload id works only for its bucket and key, and only for a caller who may write there', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mem', Key: 'bound' }));
    await fails(s3.send(new UploadPartCommand({ Bucket: 'mem', Key: 'elsewhere', UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload', 404);
    await fails(s3.send(new UploadPartCommand({ Bucket: 'other', Key: 'bound', UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload', 404);
    await fails(s3.send(new ListPartsCommand({ Bucket: 'mem', Key: 'bound', UploadId: 'forged-id' })), 'NoSuchUpload', 404);
    await fails(reader.send(new AbortMultipartUploadCommand({ Bucket: 'mem', Key: 'bound', UploadId })), 'AccessDenied', 403);
    await fails(reader.send(new ListPartsCommand({ Bucket: 'mem', Key: 'bound', UploadId })), 'AccessDenied', 403);
    await fails(reader.send(new ListMultipartUploadsCommand({ Bucket: 'mem' })), 'AccessDenied', 403);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mem', Key: 'bound', UploadId }));
  });

  test('an aborted upload leaves nothing behind', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'disk', Key: 'aborted/obj' }));
    await s3.send(new UploadPartCommand({ Bucket: 'disk', Key: 'aborted/obj', UploadId, PartNumber: 1, Body: new Uint8Array(MiB) }));
    const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket: 'disk', Key: 'aborted/obj', UploadId }));
    assert.equal(aborted.$metadata.httpStatusCode, 204);
    await fails(s3.send(new HeadObjectCommand({ Bucket: 'disk', Key: 'aborted/obj' })), 'NotFound', 404);
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: 'disk', Prefix: 'aborted/' }));
    assert.equal(listing.KeyCount, 0);
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'disk', Prefix: 'aborted/' }))).Uploads, undefined);
    // No part files are left in the backend's private area either.
    const leftovers = await readdir(join(root, '.sluice'), { recursive: true }).catch(() => []);
    assert.deepEqual(leftovers.filter((name) => String(name).includes('part')), []);
    await fails(s3.send(new AbortMultipartUploadCommand({ Bucket: 'disk', Key: 'aborted/obj', UploadId })), 'NoSuchUpload', 404);
  });

  test('UploadPartCopy copies a range of another object into a part', async () => {
    const source = new Uint8Array(randomBytes(6 * MiB));
    await s3.send(new PutObjectCommand({ Bucket: 'other', Key: 'source.bin', Body: source }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mem', Key: 'copied' }));
    const c1 = await s3.send(new UploadPartCopyCommand({ Bucket: 'mem', Key: 'copied', UploadId, PartNumber: 1, CopySource: 'other/source.bin', CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const c2 = await s3.send(new UploadPartCopyCommand({ Bucket: 'mem', Key: 'copied', UploadId, PartNumber: 2, CopySource: 'other/source.bin' }));
    await fails(s3.send(new UploadPartCopyCommand({ Bucket: 'mem', Key: 'copied', UploadId, PartNumber: 3, CopySource: 'other/source.bin', CopySourceRange: `bytes=0-${7 * MiB}` })), 'InvalidArgument', 400);
    await s3.send(new CompleteMultipartUploadCommand({
      Bucket: 'mem', Key: 'copied', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult?.ETag }, { PartNumber: 2, ETag: c2.CopyPartResult?.ETag }] },
    }));
    const got = await (await s3.send(new GetObjectCommand({ Bucket: 'mem', Key: 'copied' }))).Body!.transformToByteArray();
    assert.equal(sha256(got), sha256(Buffer.concat([source.subarray(0, 5 * MiB), source])));
  });

  test('a backend without multipart answers 501 NotImplemented', async () => {
    await fails(s3.send(new CreateMultipartUploadCommand({ Bucket: 'plain', Key: 'k' })), 'NotImplemented', 501);
  });
});
