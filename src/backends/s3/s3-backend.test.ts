/**
 * S3 backend requests and answers against a scripted in-memory HttpClient:
 * request shape, signing, addressing, listing, and error mapping. Retries and
 * uploads have their own files; real servers are in `s3.contract.test.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackendError,
  NotModifiedError,
  ObjectNotFoundError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
} from '../../core/backend-errors.ts';
import { readAll } from '../../core/body.ts';
import { backend, errorXml, objectHeaders, recordingSigner, scriptedHttp } from './s3-test-doubles.test-helper.ts';

test('head sends a signed HEAD for the prefixed key and returns the object info', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders }]);
  const sign = recordingSigner();
  const { backend: b } = backend(http, {}, sign);
  const info = await b.head('dir/a b.txt');
  assert.equal(http.requests[0]!.method, 'HEAD');
  assert.equal(http.requests[0]!.url, 'http://127.0.0.1:4568/data/base/dir/a%20b.txt');
  assert.match(http.requests[0]!.headers['authorization']!, /Credential=AKID/);
  assert.equal(sign.calls[0]!.payloadHash, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sign.calls[0]!.headers['x-amz-content-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.deepEqual(info, {
    key: 'dir/a b.txt',
    size: 5,
    etag: '"e1"',
    lastModified: new Date('2024-05-01T10:00:00Z'),
    contentType: 'text/plain',
    metadata: { owner: 'ann' },
  });
});

test('without credentials requests go out unsigned', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders }]);
  const sign = recordingSigner();
  const { backend: b } = backend(http, { credentials: undefined }, sign);
  await b.head('k');
  assert.equal(sign.calls.length, 0);
  assert.equal(http.requests[0]!.headers['authorization'], undefined);
});

test('a credentials provider is asked for each signed request', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders }, { status: 200, headers: objectHeaders }]);
  let asked = 0;
  const { backend: b } = backend(http, {
    credentials: async () => ({ accessKeyId: `TEMP${++asked}`, secretAccessKey: 's', sessionToken: 't' }),
  });
  await b.head('a');
  await b.head('b');
  assert.equal(asked, 2);
  assert.match(http.requests[1]!.headers['authorization']!, /Credential=TEMP2/);
});

test('get passes range and conditions through and returns the range and the body unread', async () => {
  const http = scriptedHttp([{ status: 206, headers: { ...objectHeaders, 'content-length': '3', 'content-range': 'bytes 1-3/5' }, body: 'ell' }]);
  const { backend: b } = backend(http);
  const result = await b.get('k', {
    range: { kind: 'bounded', first: 1, last: 3 },
    conditions: { ifMatch: '"e1"', ifModifiedSince: new Date('2024-01-01T00:00:00Z') },
  });
  const sent = http.requests[0]!.headers;
  assert.equal(sent['range'], 'bytes=1-3');
  assert.equal(sent['if-match'], '"e1"');
  assert.equal(sent['if-modified-since'], 'Mon, 01 Jan 2024 00:00:00 GMT');
  assert.deepEqual(result.range, { start: 1, end: 3 });
  assert.equal(result.info.size, 5);
  assert.equal(new TextDecoder().decode(await readAll(result.body)), 'ell');
});

test('get of a whole object has no range', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders, body: 'hello' }]);
  const result = await backend(http).backend.get('k');
  assert.equal(result.range, undefined);
  assert.equal(result.info.size, 5);
});

test('read answers map to typed errors: 304, 412, 404, 416', async () => {
  const http = scriptedHttp([
    { status: 304, headers: { etag: '"e1"', 'last-modified': 'Wed, 01 May 2024 10:00:00 GMT' } },
    { status: 412, body: errorXml('PreconditionFailed') },
    { status: 404, body: errorXml('NoSuchKey') },
    { status: 404 }, // HEAD answers carry no body
    { status: 416, headers: { 'content-range': 'bytes */5' }, body: errorXml('InvalidRange') },
    { status: 416, body: errorXml('InvalidRange', '<ActualObjectSize>7</ActualObjectSize>') },
    { status: 416, body: errorXml('InvalidRange') },
    { status: 200, headers: { ...objectHeaders, 'content-length': '9' } }, // the HEAD that learns the size
  ]);
  const { backend: b } = backend(http);
  await assert.rejects(b.get('k', { conditions: { ifNoneMatch: '"e1"' } }), (err: unknown) => {
    assert.ok(err instanceof NotModifiedError);
    assert.equal(err.etag, '"e1"');
    assert.equal(err.lastModified.toISOString(), '2024-05-01T10:00:00.000Z');
    return true;
  });
  await assert.rejects(b.get('k', { conditions: { ifMatch: '"zz"' } }), (err: unknown) => err instanceof PreconditionFailedError && err.condition === 'If-Match');
  await assert.rejects(b.get('missing'), (err: unknown) => err instanceof ObjectNotFoundError && err.key === 'missing');
  await assert.rejects(b.head('missing'), ObjectNotFoundError);
  const range = { kind: 'from', first: 10 } as const;
  await assert.rejects(b.get('k', { range }), (err: unknown) => err instanceof RangeNotSatisfiableError && err.size === 5);
  await assert.rejects(b.get('k', { range }), (err: unknown) => err instanceof RangeNotSatisfiableError && err.size === 7);
  await assert.rejects(b.get('k', { range }), (err: unknown) => err instanceof RangeNotSatisfiableError && err.size === 9);
  assert.equal(http.requests.at(-1)!.method, 'HEAD');
});

test('a missing bucket or refused access is an opaque backend error, not a missing object', async () => {
  const http = scriptedHttp([
    { status: 404, body: errorXml('NoSuchBucket') },
    { status: 403, body: errorXml('AccessDenied') },
  ]);
  const { backend: b, sleeps } = backend(http);
  for (const code of ['NoSuchBucket', 'AccessDenied']) {
    await assert.rejects(b.get('k'), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.ok(!(err instanceof ObjectNotFoundError));
      assert.equal(err.message, 'storage backend refused the request');
      assert.equal((err.cause as { code: string }).code, code);
      return true;
    });
  }
  assert.equal(http.requests.length, 2, '4xx answers are not retried');
  assert.deepEqual(sleeps, []);
});

test('list asks ListObjectsV2 under the base prefix and strips it from keys and prefixes', async () => {
  const http = scriptedHttp([
    {
      status: 200,
      body: `<ListBucketResult><EncodingType>url</EncodingType>
        <Contents><Key>base/dir/a%20b</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>"e"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>
        <CommonPrefixes><Prefix>base/dir/sub/</Prefix></CommonPrefixes>
        <IsTruncated>true</IsTruncated><NextContinuationToken>next</NextContinuationToken></ListBucketResult>`,
    },
  ]);
  const result = await backend(http).backend.list({ prefix: 'dir/', delimiter: '/', startAfter: 'dir/a', continuationToken: 'tok', maxKeys: 2 });
  assert.equal(
    http.requests[0]!.url,
    'http://127.0.0.1:4568/data/?continuation-token=tok&delimiter=%2F&encoding-type=url&list-type=2&max-keys=2&prefix=base%2Fdir%2F&start-after=base%2Fdir%2Fa',
  );
  assert.deepEqual(result, {
    objects: [{ key: 'dir/a b', size: 3, etag: '"e"', lastModified: new Date('2024-05-01T10:00:00Z'), storageClass: 'STANDARD' }],
    commonPrefixes: ['dir/sub/'],
    isTruncated: true,
    nextContinuationToken: 'next',
  });
});

test('list without a base prefix sends no prefix parameter', async () => {
  const http = scriptedHttp([{ status: 200, body: '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>' }]);
  await backend(http, { prefix: '' }).backend.list({ prefix: '', maxKeys: 1000 });
  assert.equal(http.requests[0]!.url, 'http://127.0.0.1:4568/data/?encoding-type=url&list-type=2&max-keys=1000');
});

test('delete succeeds for present and missing keys alike', async () => {
  const http = scriptedHttp([{ status: 204 }, { status: 404, body: errorXml('NoSuchKey') }]);
  const { backend: b } = backend(http);
  await b.delete('a');
  await b.delete('b');
  assert.equal(http.requests[0]!.method, 'DELETE');
  assert.equal(http.requests[0]!.url, 'http://127.0.0.1:4568/data/base/a');
});

test('virtual-host addressing puts the bucket in the host', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders }]);
  await backend(http, { endpoint: 'https://s3.us-west-2.amazonaws.com', forcePathStyle: false, prefix: '' }).backend.head('x/y');
  assert.equal(http.requests[0]!.url, 'https://data.s3.us-west-2.amazonaws.com/x/y');
});

test('a range on an empty object is unsatisfiable even when the server answers 200', async () => {
  const http = scriptedHttp([{ status: 200, headers: { ...objectHeaders, 'content-length': '0' } }]);
  await assert.rejects(
    backend(http).backend.get('empty', { range: { kind: 'suffix', length: 1 } }),
    (err: unknown) => err instanceof RangeNotSatisfiableError && err.size === 0,
  );
});

test('a 304 without an ETag is completed with a plain HEAD', async () => {
  const http = scriptedHttp([{ status: 304 }, { status: 200, headers: objectHeaders }]);
  await assert.rejects(backend(http).backend.get('k', { conditions: { ifNoneMatch: '*' } }), (err: unknown) => {
    assert.ok(err instanceof NotModifiedError);
    assert.equal(err.etag, '"e1"');
    assert.equal(err.lastModified.toISOString(), '2024-05-01T10:00:00.000Z');
    return true;
  });
  assert.equal(http.requests[1]!.method, 'HEAD');
  assert.equal(http.requests[1]!.headers['if-none-match'], undefined);
});

test('a redirect (bucket in another region) is an opaque refusal, not an object', async () => {
  const http = scriptedHttp([
    { status: 301, headers: { 'x-amz-bucket-region': 'eu-west-1' }, body: errorXml('PermanentRedirect') },
  ]);
  await assert.rejects(backend(http).backend.get('k'), (err: unknown) => {
    assert.ok(err instanceof BackendError && !(err instanceof ObjectNotFoundError));
    assert.equal((err.cause as { status: number }).status, 301);
    assert.equal((err.cause as { code: string }).code, 'PermanentRedirect');
    return true;
  });
  assert.equal(http.requests.length, 1);
});
