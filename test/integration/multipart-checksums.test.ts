/**
 * Multipart checksums and conditional completion end to end with the AWS SDK
 * for JavaScript against the Node server, on the memory and fs backends:
 * the algorithm/type rules of CreateMultipartUpload, per-part checksums
 * checked at completion, the object's COMPOSITE or FULL_OBJECT checksum read
 * back with `x-amz-checksum-mode: ENABLED`, and If-None-Match / If-Match on
 * CompleteMultipartUpload.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ChecksumAlgorithm, CompleteMultipartUploadCommand, type CompletedPart, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  PutObjectCommand, type S3Client, S3ServiceException, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { createCrc32 } from '../../src/core/checksums/crc.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKCHECKSUMSAAAAAAA',
  secretAccessKey: 'secret-of-checksums-0123456789abcdefg',
  account: 'research',
  label: 'checksums',
  status: 'active',
};
const MiB = 1024 * 1024;
const PART1 = new Uint8Array(5 * MiB).map((_, i) => (i * 7) & 0xff);
const PART2 = new TextEncoder().encode('the last part, short');

function crc32(bytes: Uint8Array): Buffer {
  const c = createCrc32();
  c.update(bytes);
  return Buffer.from(c.digest());
}

async function fails(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, String(error));
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe('multipart checksums and conditional completion', () => {
  let server: RunningServer;
  let s3: S3Client;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-mpu-checksums-'));
    const config = testConfig({ buckets: [bucket('mem', { public: false, prefix: 'mem/' }), bucket('disk', { public: false, connection: 'disk', prefix: '' })] });
    config.accounts = [{ name: 'research', grants: ['mem', 'disk'].map((b) => ({ bucket: b, actions: ['read' as const, 'write' as const] })) }];
    config.accessKeys = [KEY];
    server = await startServer(config, {
      backends: new Map<string, Backend>([['main', new MemoryBackend()], ['disk', new FsBackend({ root, readOnly: false })]]),
    });
    s3 = signedClient(server.url, KEY);
  });
  after(async () => {
    s3.destroy();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  /** Create, upload both parts with the algorithm, and return what completion needs. */
  async function uploadTwoParts(target: string, key: string, algorithm: ChecksumAlgorithm, type?: 'COMPOSITE' | 'FULL_OBJECT') {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: target, Key: key, ChecksumAlgorithm: algorithm, ...(type && { ChecksumType: type }) }));
    const UploadId = created.UploadId!;
    const parts: CompletedPart[] = [];
    for (const [i, body] of [PART1, PART2].entries()) {
      const part = await s3.send(new UploadPartCommand({ Bucket: target, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }));
      parts.push({ PartNumber: i + 1, ETag: part.ETag, ...(part.ChecksumCRC32 && { ChecksumCRC32: part.ChecksumCRC32 }), ...(part.ChecksumSHA256 && { ChecksumSHA256: part.ChecksumSHA256 }) });
    }
    return { created, UploadId, parts };
  }

  for (const target of ['mem', 'disk']) {
    test(`${target}: a FULL_OBJECT CRC32 upload answers the CRC32 of the whole object`, async () => {
      const { created, UploadId, parts } = await uploadTwoParts(target, 'full.bin', 'CRC32', 'FULL_OBJECT');
      assert.equal(created.ChecksumAlgorithm, 'CRC32');
      assert.equal(created.ChecksumType, 'FULL_OBJECT');
      assert.equal(parts[0]!.ChecksumCRC32, crc32(PART1).toString('base64'));
      const whole = crc32(Buffer.concat([PART1, PART2])).toString('base64');
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'full.bin', UploadId, MultipartUpload: { Parts: parts } }));
      assert.equal(done.ChecksumCRC32, whole);
      assert.equal(done.ChecksumType, 'FULL_OBJECT');
      const head = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'full.bin', ChecksumMode: 'ENABLED' }));
      assert.equal(head.ChecksumCRC32, whole);
      assert.equal(head.ChecksumType, 'FULL_OBJECT');
      const got = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'full.bin', ChecksumMode: 'ENABLED' }));
      assert.equal((await got.Body!.transformToByteArray()).length, PART1.length + PART2.length);
      assert.equal(got.ChecksumCRC32, whole);
    });

    test(`${target}: a COMPOSITE SHA256 upload answers the checksum of the part checksums with -2`, async () => {
      const { created, UploadId, parts } = await uploadTwoParts(target, 'composite.bin', 'SHA256');
      assert.equal(created.ChecksumType, 'COMPOSITE');
      const partDigests = [PART1, PART2].map((p) => createHash('sha256').update(p).digest());
      assert.deepEqual(parts.map((p) => p.ChecksumSHA256), partDigests.map((d) => d.toString('base64')));
      const expected = `${createHash('sha256').update(Buffer.concat(partDigests)).digest('base64')}-2`;
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'composite.bin', UploadId, MultipartUpload: { Parts: parts } }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'composite.bin', ChecksumMode: 'ENABLED' }));
      assert.equal(head.ChecksumSHA256, expected);
      assert.equal(head.ChecksumType, 'COMPOSITE');
      const plain = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'composite.bin' }));
      assert.equal(plain.ChecksumSHA256, undefined, 'only reported when asked for');
    });

    test(`${target}: a completion whose part checksums are missing or wrong is refused, and the upload stays`, async () => {
      const { UploadId, parts } = await uploadTwoParts(target, 'refused.bin', 'CRC32');
      const bare = parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
      await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'refused.bin', UploadId, MultipartUpload: { Parts: bare } })), 'InvalidRequest', 400);
      const wrong = parts.map((p, i) => (i === 1 ? { ...p, ChecksumCRC32: 'AAAAAA==' } : p));
      await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'refused.bin', UploadId, MultipartUpload: { Parts: wrong } })), 'InvalidPart', 400);
      await fails(s3.send(new HeadObjectCommand({ Bucket: target, Key: 'refused.bin' })), 'NotFound', 404);
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'refused.bin', UploadId, MultipartUpload: { Parts: parts } }));
    });

    test(`${target}: invalid algorithm and type combinations, and parts of another algorithm, are 400 InvalidRequest`, async () => {
      await fails(s3.send(new CreateMultipartUploadCommand({ Bucket: target, Key: 'x', ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' })), 'InvalidRequest', 400);
      await fails(s3.send(new CreateMultipartUploadCommand({ Bucket: target, Key: 'x', ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'COMPOSITE' })), 'InvalidRequest', 400);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: target, Key: 'x', ChecksumAlgorithm: 'CRC32C' }));
      await fails(s3.send(new UploadPartCommand({ Bucket: target, Key: 'x', UploadId, PartNumber: 1, Body: PART2, ChecksumAlgorithm: 'SHA1' })), 'InvalidRequest', 400);
    });

    test(`${target}: If-None-Match: * and If-Match on CompleteMultipartUpload are checked at the commit`, async () => {
      const existing = await s3.send(new PutObjectCommand({ Bucket: target, Key: 'guarded.bin', Body: 'before' }));
      const first = await uploadTwoParts(target, 'guarded.bin', 'CRC32');
      await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'guarded.bin', UploadId: first.UploadId, MultipartUpload: { Parts: first.parts }, IfNoneMatch: '*' })), 'PreconditionFailed', 412);
      await fails(s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'guarded.bin', UploadId: first.UploadId, MultipartUpload: { Parts: first.parts }, IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
      const unchanged = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'guarded.bin' }));
      assert.equal(await unchanged.Body!.transformToString(), 'before');
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'guarded.bin', UploadId: first.UploadId, MultipartUpload: { Parts: first.parts }, IfMatch: existing.ETag }));
      assert.match(done.ETag ?? '', /-2"$/);
      const fresh = await uploadTwoParts(target, 'guarded-new.bin', 'CRC32');
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: target, Key: 'guarded-new.bin', UploadId: fresh.UploadId, MultipartUpload: { Parts: fresh.parts }, IfNoneMatch: '*' }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'guarded-new.bin' }));
      assert.equal(head.ContentLength, PART1.length + PART2.length);
    });
  }
});
