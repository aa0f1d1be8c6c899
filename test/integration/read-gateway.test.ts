/**
 * The read gateway end to end: the Node server over real backends, driven by
 * the AWS SDK for JavaScript with unsigned requests (as `--no-sign-request`).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { coexistingHostileKeys } from '../contract/hostile-keys.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient } from '../support/s3-client.ts';

const MANY_KEYS = 2_600;
const HOSTILE_PREFIX = 'hostile/';
/** The corpus keys that still fit S3's 1024-byte limit under the test prefix. */
const HOSTILE_KEYS = coexistingHostileKeys.filter((key) => new TextEncoder().encode(HOSTILE_PREFIX + key).byteLength <= 1024);

async function put(backend: Backend, key: string, content: string, contentType = 'text/plain'): Promise<void> {
  await backend.put(key, bytesBody(content), { contentType, metadata: {} });
}

async function expectS3Error(promise: Promise<unknown>, code: string, status: number): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, `expected an S3 error, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    if (code) assert.equal(error.name, code);
    return error;
  }
  assert.fail(`expected ${code} (${status})`);
}

describe('read gateway over the fs backend, via the AWS SDK', () => {
  let root: string;
  let server: RunningServer;
  let s3: S3Client;
  let backend: FsBackend;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-read-'));
    backend = new FsBackend({ root, readOnly: false });
    await put(backend, 'docs/hello.txt', 'hello, world\n');
    await put(backend, 'docs/data.json', '{"a":1}', 'application/json');
    await backend.put('docs/meta.bin', bytesBody('0123456789'), {
      contentType: 'application/octet-stream',
      cacheControl: 'max-age=60',
      metadata: { origin: 'station-7' },
    });
    for (let i = 0; i < MANY_KEYS; i++) {
      const n = String(i).padStart(5, '0');
      await put(backend, `many/${n.slice(0, 3)}/${n}.txt`, n);
    }
    for (const key of HOSTILE_KEYS) await put(backend, `${HOSTILE_PREFIX}${key}`, `content of ${key}`);
    await put(backend, 'secret.txt', 'restricted');
    const config = testConfig({
      connections: { main: { type: 'fs', name: 'main', root, readOnly: false } },
      buckets: [bucket('open-data'), bucket('restricted', { public: false })],
    });
    server = await startServer(config, { backends: new Map([['main', backend]]) });
    s3 = anonymousClient(server.url);
  });

  after(async () => {
    s3?.destroy();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('GetObject returns body, ETag (MD5), type, length and user metadata', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'open-data', Key: 'docs/meta.bin' }));
    assert.equal(await got.Body!.transformToString(), '0123456789');
    assert.equal(got.ETag, '"781e5e245d69b566979b86e28d23f2c7"');
    assert.equal(got.ContentLength, 10);
    assert.equal(got.ContentType, 'application/octet-stream');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.deepEqual(got.Metadata, { origin: 'station-7' });
    assert.equal(got.AcceptRanges, 'bytes');
    assert.ok(got.LastModified instanceof Date);
  });

  test('Range: bounded, open-ended, suffix and clamped ranges answer 206 with Content-Range', async () => {
    const cases: [string, string, string][] = [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ];
    for (const [range, body, contentRange] of cases) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'open-data', Key: 'docs/meta.bin', Range: range }));
      assert.equal(got.$metadata.httpStatusCode, 206, range);
      assert.equal(await got.Body!.transformToString(), body, range);
      assert.equal(got.ContentRange, contentRange, range);
      assert.equal(got.ContentLength, body.length, range);
    }
  });

  test('an unsatisfiable range answers 416 InvalidRange with Content-Range bytes */size', async () => {
    const response = await fetch(`${server.url}/open-data/docs/meta.bin`, { headers: { range: 'bytes=10-20' } });
    assert.equal(response.status, 416);
    assert.equal(response.headers.get('content-range'), 'bytes */10');
    assert.match(await response.text(), /<Code>InvalidRange<\/Code>/);
  });

  test('HeadObject honours Range and conditions without a body', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'open-data', Key: 'docs/meta.bin', Range: 'bytes=0-3' }));
    assert.equal(head.$metadata.httpStatusCode, 206);
    assert.equal(head.ContentLength, 4);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: 'open-data', Key: 'docs/meta.bin', IfMatch: '"nope"' })), '', 412);
  });

  test('conditional GETs: If-None-Match → 304, If-Match mismatch → 412, date conditions and precedence', async () => {
    const etag = '"781e5e245d69b566979b86e28d23f2c7"';
    const url = `${server.url}/open-data/docs/meta.bin`;
    const status = async (headers: Record<string, string>) => (await fetch(url, { headers })).status;
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    const past = new Date(Date.now() - 86_400_000 * 365).toUTCString();
    assert.equal(await status({ 'if-none-match': etag }), 304);
    assert.equal(await status({ 'if-none-match': '"other"' }), 200);
    assert.equal(await status({ 'if-match': '"other"' }), 412);
    assert.equal(await status({ 'if-match': etag }), 200);
    assert.equal(await status({ 'if-modified-since': future }), 304);
    assert.equal(await status({ 'if-modified-since': past }), 200);
    assert.equal(await status({ 'if-unmodified-since': past }), 412);
    // If-Match true wins over If-Unmodified-Since false; If-None-Match false wins over If-Modified-Since true.
    assert.equal(await status({ 'if-match': etag, 'if-unmodified-since': past }), 200);
    assert.equal(await status({ 'if-none-match': '"other"', 'if-modified-since': future }), 200);
    const notModified = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(notModified.headers.get('etag'), etag);
    assert.equal(await notModified.text(), '');
  });

  test('a missing key is 404 NoSuchKey on a readable bucket', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'open-data', Key: 'docs/nope.txt' })), 'NoSuchKey', 404);
  });

  test('a restricted bucket answers exactly like a missing one: 403 AccessDenied', async () => {
    const restricted = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'restricted', Key: 'secret.txt' })), 'AccessDenied', 403);
    const missing = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'secret.txt' })), 'AccessDenied', 403);
    assert.equal(restricted.message, missing.message);
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: 'restricted' })), 'AccessDenied', 403);
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'restricted' })), '', 403);
    await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })), '', 403);
  });

  test('response-* overrides are refused on anonymous requests, as S3 does', async () => {
    await expectS3Error(
      s3.send(new GetObjectCommand({ Bucket: 'open-data', Key: 'docs/hello.txt', ResponseContentType: 'text/csv' })),
      'InvalidRequest',
      400,
    );
  });

  test('ListObjectsV2 pages through 2,600 keys with max-keys and continuation tokens, in order, without gaps', async () => {
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1000 }, { Bucket: 'open-data', Prefix: 'many/' })) {
      pages++;
      assert.equal(page.KeyCount, page.Contents?.length ?? 0);
      for (const object of page.Contents ?? []) keys.push(object.Key!);
    }
    assert.equal(pages, 3);
    assert.equal(keys.length, MANY_KEYS);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(new Set(keys).size, MANY_KEYS);
  });

  test('ListObjectsV2 with a delimiter pages through common prefixes', async () => {
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'many/', Delimiter: '/', MaxKeys: 7, ContinuationToken: token }));
      assert.equal(page.KeyCount, (page.CommonPrefixes?.length ?? 0) + (page.Contents?.length ?? 0));
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(prefixes, Array.from({ length: 26 }, (_, i) => `many/${String(i).padStart(3, '0')}/`));
  });

  test('a multi-character delimiter groups on the whole string', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'many/000/', Delimiter: '01' }));
    const prefixes = (page.CommonPrefixes ?? []).map((p) => p.Prefix!);
    const keys = (page.Contents ?? []).map((c) => c.Key!);
    assert.ok(prefixes.includes('many/000/0001'), 'keys containing the delimiter roll up');
    for (const prefix of prefixes) assert.ok(prefix.endsWith('01') && prefix.indexOf('01', 'many/000/'.length) === prefix.length - 2, prefix);
    for (const key of keys) assert.ok(!key.slice('many/000/'.length).includes('01'), key);
    assert.equal(keys[0], 'many/000/00000.txt');
    assert.equal(new Set(prefixes).size, prefixes.length);
  });

  test('ListObjects (V1) pages with Marker / NextMarker and start-after works in V2', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'open-data', Prefix: 'many/', Delimiter: '/', MaxKeys: 10 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextMarker, 'many/009/');
    const second = await s3.send(new ListObjectsCommand({ Bucket: 'open-data', Prefix: 'many/', Delimiter: '/', Marker: first.NextMarker }));
    assert.equal(second.CommonPrefixes?.[0]?.Prefix, 'many/010/');
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'many/', StartAfter: 'many/025/02598.txt' }));
    assert.deepEqual(after.Contents?.map((c) => c.Key), ['many/025/02599.txt']);
  });

  test('max-keys outside 0–1000 or not a number, and forged tokens, are 400 InvalidArgument', async () => {
    for (const query of ['list-type=2&max-keys=-1', 'list-type=2&max-keys=ten', 'list-type=2&continuation-token=forged', 'list-type=2&encoding-type=base64']) {
      const response = await fetch(`${server.url}/open-data?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(await response.text(), /<Code>InvalidArgument<\/Code>/, query);
    }
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', MaxKeys: 0 }));
    assert.equal(zero.KeyCount, 0);
  });

  test('a continuation token from another listing is refused', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'many/', MaxKeys: 1 }));
    assert.ok(page.NextContinuationToken);
    await expectS3Error(
      s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'docs/', ContinuationToken: page.NextContinuationToken })),
      'InvalidArgument',
      400,
    );
  });

  test('fetch-owner and encoding-type=url', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'docs/', FetchOwner: true }));
    assert.ok(page.Contents?.every((c) => c.Owner?.ID));
    const plain = await s3.send(new ListObjectsV2Command({ Bucket: 'open-data', Prefix: 'docs/' }));
    assert.ok(plain.Contents?.every((c) => c.Owner === undefined));
    const xml = await (await fetch(`${server.url}/open-data?list-type=2&prefix=hostile%2F&encoding-type=url`)).text();
    assert.match(xml, /<EncodingType>url<\/EncodingType>/);
    assert.ok(xml.includes('<Key>hostile/with%20space</Key>'), 'spaces are percent-encoded');
    assert.ok(xml.includes('<Key>hostile/plus%2Bsign</Key>'), 'plus signs are percent-encoded');
    assert.ok(!xml.includes('<Key>hostile/with space</Key>'));
  });

  test('hostile keys are served and listed byte-faithfully', async () => {
    for (const key of HOSTILE_KEYS) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'open-data', Key: `${HOSTILE_PREFIX}${key}` }));
      assert.equal(await got.Body!.transformToString(), `content of ${key}`, JSON.stringify(key));
    }
    const listed: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 50 }, { Bucket: 'open-data', Prefix: 'hostile/' })) {
      for (const object of page.Contents ?? []) listed.push(object.Key!.slice('hostile/'.length));
    }
    assert.deepEqual([...listed].sort(), [...HOSTILE_KEYS].sort());
  });

  test('keys over 1024 bytes, control characters or invalid UTF-8 are 400', async () => {
    const long = 'k'.repeat(1025);
    for (const path of [`/open-data/${long}`, '/open-data/bad%01key', '/open-data/bad%FFkey', '/open-data/bad%zzkey']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 400, path);
    }
  });

  test('unimplemented operations answer 501 NotImplemented, never as another operation', async () => {
    for (const query of ['acl', 'versioning', 'policy', 'lifecycle', 'versions']) {
      const response = await fetch(`${server.url}/open-data?${query}`);
      assert.equal(response.status, 501, query);
      assert.match(await response.text(), /<Code>NotImplemented<\/Code>/, query);
    }
    const objectAcl = await fetch(`${server.url}/open-data/docs/hello.txt?acl`);
    assert.equal(objectAcl.status, 501);
    // ListMultipartUploads is offered, and needs write access an anonymous caller never has.
    const uploads = await fetch(`${server.url}/open-data?uploads`);
    assert.equal(uploads.status, 403);
    assert.match(await uploads.text(), /<Code>AccessDenied<\/Code>/);
  });

  test('ListBuckets shows only readable buckets; HeadBucket and GetBucketLocation', async () => {
    const listed = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets?.map((b) => b.Name), ['open-data']);
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'open-data' }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'open-data' }));
    assert.equal(location.LocationConstraint, undefined);
  });

  test('every response carries x-amz-request-id, errors carry S3 XML with RequestId and Resource', async () => {
    const response = await fetch(`${server.url}/open-data/docs/missing`);
    const id = response.headers.get('x-amz-request-id');
    assert.match(id ?? '', /^[0-9A-F]{16}$/);
    const xml = await response.text();
    assert.match(xml, new RegExp(`<RequestId>${id}</RequestId>`));
    assert.match(xml, /<Resource>\/open-data\/docs\/missing<\/Resource>/);
    assert.equal(response.headers.get('content-type'), 'application/xml');
  });
});
