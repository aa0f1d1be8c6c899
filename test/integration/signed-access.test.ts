/**
 * Access keys, accounts and grants end to end: the AWS SDK for JavaScript
 * signs requests (headers, aws-chunked uploads and presigned URLs) against
 * the Node server, and is refused with S3's exact codes when it should be.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { signRequest } from '../../src/auth/sigv4/index.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient, signedClient } from '../support/s3-client.ts';

const key = (id: string, overrides: Partial<AccessKeyConfig> = {}): AccessKeyConfig => ({
  accessKeyId: id,
  secretAccessKey: `secret-of-${id}-0123456789abcdefghij`,
  account: 'research',
  label: id,
  status: 'active',
  ...overrides,
});

const WRITER = key('SLAKWRITERAAAAAAAAAA');
const READER = key('SLAKREADERAAAAAAAAAA', { ceiling: [{ bucket: '*', actions: ['read'] }] });
const OUTSIDER = key('SLAKOUTSIDERAAAAAAAA', { account: 'visitors' });
const DISABLED = key('SLAKDISABLEDAAAAAAAA', { status: 'disabled' });
const EXPIRED = key('SLAKEXPIREDAAAAAAAAA', { expiresAt: new Date(Date.now() - 1000) });

async function expectCode(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, String(error));
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return;
  }
  assert.fail(`expected ${code}`);
}

describe('signed access with access keys, accounts and grants', () => {
  let server: RunningServer;
  let backend: MemoryBackend;
  const clients: S3Client[] = [];
  const client = (k: AccessKeyConfig, secret = k.secretAccessKey) => {
    const c = signedClient(server.url, { accessKeyId: k.accessKeyId, secretAccessKey: secret });
    clients.push(c);
    return c;
  };

  before(async () => {
    backend = new MemoryBackend({ readOnly: false });
    await backend.put('climate/data/2024.csv', bytesBody('year,temp\n2024,15.1\n'), { contentType: 'text/csv', metadata: {} });
    await backend.put('climate/data-private/x.csv', bytesBody('secret'), { metadata: {} });
    await backend.put('climate/notes.txt', bytesBody('notes'), { metadata: {} });
    await backend.put('open/readme.txt', bytesBody('public'), { metadata: {} });
    const config = testConfig({
      buckets: [
        bucket('climate', { public: false, prefix: 'climate/' }),
        bucket('open', { public: true, prefix: 'open/' }),
        bucket('archive', { public: false, prefix: 'archive/', readOnly: true }),
      ],
    });
    config.accounts = [
      { name: 'research', grants: [{ bucket: 'climate', actions: ['read', 'write'], prefixes: ['data'] }, { bucket: 'archive', actions: ['read', 'write'] }] },
      { name: 'visitors', grants: [] },
    ];
    config.accessKeys = [WRITER, READER, OUTSIDER, DISABLED, EXPIRED];
    server = await startServer(config, { backends: new Map([['main', backend]]) });
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  test('a granted key reads and lists inside its prefix', async () => {
    const s3 = client(WRITER);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' }));
    assert.equal(await got.Body!.transformToString(), 'year,temp\n2024,15.1\n');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'climate', Prefix: 'data/' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['data/2024.csv']);
  });

  test('signed requests may override response headers (response-content-type, response-content-disposition)', async () => {
    const got = await client(WRITER).send(new GetObjectCommand({
      Bucket: 'climate',
      Key: 'data/2024.csv',
      ResponseContentType: 'application/vnd.example+csv',
      ResponseContentDisposition: 'attachment; filename="temps.csv"',
    }));
    assert.equal(got.ContentType, 'application/vnd.example+csv');
    assert.equal(got.ContentDisposition, 'attachment; filename="temps.csv"');
    await got.Body!.transformToString();
  });

  test('outside the granted prefix: reads and listings are 403', async () => {
    const s3 = client(WRITER);
    await expectCode(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data-private/x.csv' })), 'AccessDenied', 403);
    await expectCode(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'notes.txt' })), 'AccessDenied', 403);
    await expectCode(s3.send(new ListObjectsV2Command({ Bucket: 'climate' })), 'AccessDenied', 403);
    await expectCode(s3.send(new ListObjectsV2Command({ Bucket: 'climate', Prefix: 'data' })), 'AccessDenied', 403);
  });

  test('writes with a write grant: PutObject (aws-chunked with trailing checksum), GetObject back, DeleteObject', async () => {
    const s3 = client(WRITER);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'climate', Key: 'data/new.txt', Body: 'fresh data', ContentType: 'text/plain', Metadata: { station: 'x7' } }));
    assert.equal(put.ETag, `"${createHash('md5').update('fresh data').digest('hex')}"`);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32('fresh data'));
    assert.equal(put.ChecksumCRC32, crc.toString('base64'), 'the trailing CRC32 was checked and echoed');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/new.txt' }));
    assert.equal(await got.Body!.transformToString(), 'fresh data');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ContentEncoding, undefined);
    assert.deepEqual(got.Metadata, { station: 'x7' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'climate', Key: 'data/new.txt' }));
    await expectCode(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/new.txt' })), 'NoSuchKey', 404);
  });

  test('a read-only ceiling on the key blocks writes its account could make', async () => {
    await expectCode(client(READER).send(new PutObjectCommand({ Bucket: 'climate', Key: 'data/r.txt', Body: 'x' })), 'AccessDenied', 403);
    const got = await client(READER).send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' }));
    assert.equal(got.$metadata.httpStatusCode, 200);
  });

  test('read-only buckets refuse writes even with a write grant', async () => {
    await expectCode(client(WRITER).send(new PutObjectCommand({ Bucket: 'archive', Key: 'x', Body: 'x' })), 'AccessDenied', 403);
  });

  test('an account without grants sees restricted buckets exactly as missing ones, but reads public buckets', async () => {
    const s3 = client(OUTSIDER);
    await expectCode(s3.send(new ListObjectsV2Command({ Bucket: 'climate' })), 'AccessDenied', 403);
    await expectCode(s3.send(new ListObjectsV2Command({ Bucket: 'nonexistent' })), 'AccessDenied', 403);
    const open = await s3.send(new GetObjectCommand({ Bucket: 'open', Key: 'readme.txt' }));
    assert.equal(await open.Body!.transformToString(), 'public');
  });

  test('ListBuckets returns only buckets the caller may read', async () => {
    const mine = await client(WRITER).send(new ListBucketsCommand({}));
    assert.deepEqual(mine.Buckets?.map((b) => b.Name), ['archive', 'climate', 'open']);
    const theirs = await client(OUTSIDER).send(new ListBucketsCommand({}));
    assert.deepEqual(theirs.Buckets?.map((b) => b.Name), ['open']);
  });

  test('wrong secret → SignatureDoesNotMatch; unknown, disabled or expired keys → InvalidAccessKeyId', async () => {
    await expectCode(client(WRITER, 'not-the-secret').send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' })), 'SignatureDoesNotMatch', 403);
    await expectCode(client(key('SLAKUNKNOWNAAAAAAAAA')).send(new GetObjectCommand({ Bucket: 'open', Key: 'readme.txt' })), 'InvalidAccessKeyId', 403);
    await expectCode(client(DISABLED).send(new GetObjectCommand({ Bucket: 'open', Key: 'readme.txt' })), 'InvalidAccessKeyId', 403);
    await expectCode(client(EXPIRED).send(new GetObjectCommand({ Bucket: 'open', Key: 'readme.txt' })), 'InvalidAccessKeyId', 403);
  });

  test('SignatureDoesNotMatch carries StringToSign and CanonicalRequest, as S3 does', async () => {
    const url = await getSignedUrl(client(WRITER), new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' }), { expiresIn: 60 });
    const tampered = url.replace('data/2024.csv', 'data/2025.csv');
    const response = await fetch(tampered);
    assert.equal(response.status, 403);
    const xml = await response.text();
    assert.match(xml, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.match(xml, /<StringToSign>AWS4-HMAC-SHA256\n/);
    assert.match(xml, /<CanonicalRequest>GET\n\/climate\/data\/2025.csv\n/);
  });

  test('presigned URLs work with a plain HTTP client until they expire', async () => {
    const url = await getSignedUrl(client(WRITER), new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' }), { expiresIn: 60 });
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'year,temp\n2024,15.1\n');
    const expired = await getSignedUrl(client(WRITER), new GetObjectCommand({ Bucket: 'climate', Key: 'data/2024.csv' }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    const refused = await fetch(expired);
    assert.equal(refused.status, 403);
    const xml = await refused.text();
    assert.match(xml, /<Code>AccessDenied<\/Code>/);
    assert.match(xml, /Request has expired/);
  });

  test('a body that does not match its signed SHA-256 is refused (400 XAmzContentSHA256Mismatch) and never becomes visible', async () => {
    const url = `${server.url}/climate/data/digest.txt`;
    const credentials = { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey };
    const put = async (signedBody: string, sentBody: string) => {
      const payloadHash = createHash('sha256').update(signedBody).digest('hex');
      const headers = await signRequest({ method: 'PUT', url, headers: {} }, credentials, { region: 'us-east-1', service: 's3', payloadHash });
      return fetch(url, { method: 'PUT', headers, body: sentBody });
    };
    const refused = await put('the signed body', 'a different body');
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    await expectCode(client(WRITER).send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/digest.txt' })), 'NoSuchKey', 404);
    const accepted = await put('the signed body', 'the signed body');
    assert.equal(accepted.status, 200);
    const got = await client(WRITER).send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/digest.txt' }));
    assert.equal(await got.Body!.transformToString(), 'the signed body');
  });

  test('Content-MD5 that does not match the body → 400 BadDigest, nothing stored', async () => {
    const s3 = client(WRITER);
    await expectCode(
      s3.send(new PutObjectCommand({ Bucket: 'climate', Key: 'data/md5.txt', Body: 'payload', ContentMD5: 'AAAAAAAAAAAAAAAAAAAAAA==' })),
      'BadDigest',
      400,
    );
    await expectCode(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/md5.txt' })), 'NoSuchKey', 404);
  });

  test('an additional checksum that does not match the body → 400 BadDigest, nothing stored', async () => {
    const s3 = client(WRITER);
    await expectCode(
      s3.send(new PutObjectCommand({ Bucket: 'climate', Key: 'data/crc.txt', Body: 'payload', ChecksumCRC32: 'AAAAAA==' })),
      'BadDigest',
      400,
    );
    await expectCode(s3.send(new GetObjectCommand({ Bucket: 'climate', Key: 'data/crc.txt' })), 'NoSuchKey', 404);
    const ok = await s3.send(new PutObjectCommand({ Bucket: 'climate', Key: 'data/sha.txt', Body: 'payload', ChecksumAlgorithm: 'SHA256' }));
    assert.equal(ok.ChecksumSHA256, createHash('sha256').update('payload').digest('base64'));
  });

  test('anonymous callers still read public buckets and are refused writes', async () => {
    const s3 = anonymousClient(server.url);
    clients.push(s3);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'open', Key: 'readme.txt' }));
    assert.equal(await got.Body!.transformToString(), 'public');
    await expectCode(s3.send(new PutObjectCommand({ Bucket: 'open', Key: 'x', Body: 'x' })), 'AccessDenied', 403);
  });
});

test('server.allowedRegions: a credential scope naming another region → 400 AuthorizationHeaderMalformed', async (t) => {
  const backend = new MemoryBackend({ readOnly: false });
  await backend.put('x', bytesBody('x'), { metadata: {} });
  const config = testConfig({ buckets: [bucket('open', { public: true })], server: { allowedRegions: ['eu-central-1'] } });
  config.accounts = [{ name: 'research', grants: [] }];
  config.accessKeys = [WRITER];
  const server = await startServer(config, { backends: new Map([['main', backend]]) });
  const credentials = { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey };
  const wrong = signedClient(server.url, credentials, { region: 'us-east-1' });
  const right = signedClient(server.url, credentials, { region: 'eu-central-1' });
  t.after(async () => {
    wrong.destroy();
    right.destroy();
    await server.close();
  });
  await expectCode(wrong.send(new GetObjectCommand({ Bucket: 'open', Key: 'x' })), 'AuthorizationHeaderMalformed', 400);
  const got = await right.send(new GetObjectCommand({ Bucket: 'open', Key: 'x' }));
  assert.equal(await got.Body!.transformToString(), 'x');
});

test('path-mapped mode: grants name products as account/product', async (t) => {
  const backend = new MemoryBackend({ readOnly: false });
  await backend.put('l/scene.tif', bytesBody('L'), { metadata: {} });
  await backend.put('s/tile.jp2', bytesBody('S'), { metadata: {} });
  const config = testConfig({
    server: { addressing: 'path-mapped' },
    buckets: [
      bucket('landsat', { account: 'acme', prefix: 'l/', public: false }),
      bucket('sentinel', { account: 'acme', prefix: 's/', public: false }),
    ],
  });
  config.accounts = [{ name: 'research', grants: [{ bucket: 'acme/landsat', actions: ['read'] }] }];
  config.accessKeys = [WRITER];
  const server = await startServer(config, { backends: new Map([['main', backend]]) });
  const s3 = signedClient(server.url, { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey });
  t.after(async () => {
    s3.destroy();
    await server.close();
  });
  const got = await s3.send(new GetObjectCommand({ Bucket: 'acme', Key: 'landsat/scene.tif' }));
  assert.equal(await got.Body!.transformToString(), 'L');
  await expectCode(s3.send(new GetObjectCommand({ Bucket: 'acme', Key: 'sentinel/tile.jp2' })), 'AccessDenied', 403);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'acme', Delimiter: '/' }));
  assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ['landsat/'], 'only the granted product is listed');
});
