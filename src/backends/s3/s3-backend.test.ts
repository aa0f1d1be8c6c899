/**
 * S3 backend behaviour against a scripted in-memory HttpClient: request
 * shape, error mapping, retries with backoff, timeouts, uploads of unknown
 * length. The real-server checks are in `s3.contract.test.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  BackendError,
  BackendUnavailableError,
  NotModifiedError,
  ObjectNotFoundError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  UnsupportedKeyError,
  WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import type { HttpClient, OutboundRequest, OutboundResponse } from '../../core/http.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { S3Backend } from './s3-backend.ts';
import type { S3BackendOptions } from './options.ts';
import type { SignFunction } from './transport.ts';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

type Reply = (Partial<Omit<OutboundResponse, 'body'>> & { body?: string }) | Error | ((req: OutboundRequest) => Promise<OutboundResponse>);

/** Answers requests from a script, in order, recording what was asked. */
function scriptedHttp(replies: Reply[]): HttpClient & { requests: Recorded[] } {
  const requests: Recorded[] = [];
  return {
    requests,
    async request(req) {
      const body = req.body ? new TextDecoder().decode(await readAll(req.body)) : undefined;
      requests.push({ method: req.method, url: req.url, headers: req.headers, ...(body !== undefined ? { body } : {}) });
      const reply = replies.shift();
      if (reply === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
      if (reply instanceof Error) throw reply;
      if (typeof reply === 'function') return reply(req);
      return { status: reply.status ?? 200, headers: reply.headers ?? {}, body: bytesBody(reply.body ?? '') };
    },
  };
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** Records what it was asked to sign and adds a recognisable authorization header. */
function recordingSigner(): SignFunction & { calls: Array<{ headers: Record<string, string>; payloadHash?: string }> } {
  const calls: Array<{ headers: Record<string, string>; payloadHash?: string }> = [];
  const sign: SignFunction = async (req, creds, opts) => {
    calls.push({ headers: req.headers, payloadHash: opts.payloadHash });
    return { ...req.headers, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/x, Signature=sig-of-${creds.secretAccessKey}` };
  };
  return Object.assign(sign, { calls });
}

function backend(http: HttpClient, overrides: Partial<S3BackendOptions> = {}, sign: SignFunction = recordingSigner()) {
  const sleeps: number[] = [];
  const b = new S3Backend(
    {
      endpoint: 'http://127.0.0.1:4568',
      region: 'us-east-1',
      bucket: 'data',
      forcePathStyle: true,
      prefix: 'base/',
      credentials: { accessKeyId: 'AKID', secretAccessKey: SECRET },
      http,
      retry: { attempts: 3, baseDelayMs: 100 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    },
    sign,
  );
  return { backend: b, sleeps };
}

const objectHeaders = {
  'content-length': '5',
  etag: '"e1"',
  'last-modified': 'Wed, 01 May 2024 10:00:00 GMT',
  'content-type': 'text/plain',
  'x-amz-meta-owner': 'ann',
};
const errorXml = (code: string, extra = '') => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message>${extra}<RequestId>r</RequestId></Error>`;

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

test('5xx and SlowDown are retried with growing backoff, then succeed', async () => {
  const http = scriptedHttp([
    { status: 500, body: errorXml('InternalError') },
    { status: 503, body: errorXml('SlowDown') },
    { status: 200, headers: objectHeaders },
  ]);
  const { backend: b, sleeps } = backend(http);
  const info = await b.head('k');
  assert.equal(info.etag, '"e1"');
  assert.equal(http.requests.length, 3);
  // random() = 0.5 of a ceiling of 100 × 2^(retry−1).
  assert.deepEqual(sleeps, [50, 100]);
});

test('5xx on every try becomes BackendUnavailableError with the detail in cause and no secrets', async () => {
  const http = scriptedHttp([
    { status: 500, body: errorXml('InternalError') },
    { status: 502 },
    { status: 503, body: errorXml('SlowDown') },
  ]);
  const { backend: b } = backend(http);
  await assert.rejects(b.get('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(err.message, 'storage backend unavailable');
    const cause = err.cause as Record<string, unknown>;
    assert.equal(cause['operation'], 'GetObject');
    assert.equal(cause['attempts'], 3);
    assert.equal(cause['status'], 503);
    assert.equal(cause['code'], 'SlowDown');
    const dump = JSON.stringify(cause);
    assert.ok(!dump.includes(SECRET) && !dump.includes('sig-of') && !dump.includes('AKID'), dump);
    return true;
  });
  assert.equal(http.requests.length, 3);
});

test('connection errors are retried; a closed port ends as BackendUnavailableError', async (t) => {
  const flaky = scriptedHttp([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { status: 200, headers: objectHeaders }]);
  assert.equal((await backend(flaky).backend.head('k')).size, 5);

  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const http = createNodeHttpClient();
  t.after(() => http.close());
  const { backend: b, sleeps } = backend(http, { endpoint: `http://127.0.0.1:${port}` });
  await assert.rejects(b.list({ prefix: '', maxKeys: 10 }), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.match(String((err.cause as { error: string }).error), /ECONNREFUSED/);
    return true;
  });
  assert.equal(sleeps.length, 2);
});

test('a response that does not arrive in time is retried, then reported unavailable', async () => {
  let tries = 0;
  const hang = (req: OutboundRequest) =>
    new Promise<OutboundResponse>((_resolve, reject) => {
      tries++;
      req.signal!.addEventListener('abort', () => reject(req.signal!.reason));
    });
  const { backend: b } = backend(scriptedHttp([hang, hang]), { responseTimeoutMs: 30, retry: { attempts: 2 } });
  await assert.rejects(b.head('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.match(String((err.cause as { error: string }).error), /ResponseTimeoutError/);
    return true;
  });
  assert.equal(tries, 2);
});

test("the caller's abort rejects with its reason and is not retried", async () => {
  const controller = new AbortController();
  const hang = (req: OutboundRequest) =>
    new Promise<OutboundResponse>((_resolve, reject) => {
      req.signal!.addEventListener('abort', () => reject(req.signal!.reason));
      setTimeout(() => controller.abort(new Error('client went away')), 5);
    });
  const http = scriptedHttp([hang]);
  await assert.rejects(backend(http).backend.get('k', { signal: controller.signal }), /client went away/);
  assert.equal(http.requests.length, 1);
});

test('a streamed PUT with a known length is sent once, unsigned payload, never retried', async () => {
  const http = scriptedHttp([{ status: 500, body: errorXml('InternalError') }]);
  const sign = recordingSigner();
  const { backend: b } = backend(http, {}, sign);
  await assert.rejects(
    b.put('k', bytesBody('hello'), { contentType: 'text/plain', metadata: { a: '1' } }, { contentLength: 5 }),
    BackendUnavailableError,
  );
  assert.equal(http.requests.length, 1);
  const sent = http.requests[0]!;
  assert.equal(sent.method, 'PUT');
  assert.equal(sent.url, 'http://127.0.0.1:4568/data/base/k');
  assert.equal(sent.body, 'hello');
  assert.equal(sent.headers['content-length'], '5');
  assert.equal(sent.headers['content-type'], 'text/plain');
  assert.equal(sent.headers['x-amz-meta-a'], '1');
  assert.equal(sign.calls[0]!.payloadHash, 'UNSIGNED-PAYLOAD');
  assert.equal(sign.calls[0]!.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
});

test('a PUT of unknown length that fits in one part is buffered, so it can be retried', async () => {
  const http = scriptedHttp([{ status: 503, body: errorXml('SlowDown') }, { status: 200, headers: { etag: '"p1"' } }]);
  const result = await backend(http).backend.put('k', bytesBody('small'), { metadata: {} });
  assert.equal(result.etag, '"p1"');
  assert.equal(http.requests.length, 2);
  assert.equal(http.requests[1]!.headers['content-length'], '5');
  assert.equal(http.requests[1]!.body, 'small');
});

const MiB = 1024 * 1024;

test('a PUT of unknown length beyond one part goes up as a multipart upload', async () => {
  const http = scriptedHttp([
    { status: 200, body: '<InitiateMultipartUploadResult><UploadId>u/1</UploadId></InitiateMultipartUploadResult>' },
    { status: 200, headers: { etag: '"a"' } },
    { status: 200, headers: { etag: '"b"' } },
    { status: 200, body: '<CompleteMultipartUploadResult><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>' },
  ]);
  const { backend: b } = backend(http, { multipartPartSize: 5 * MiB });
  const result = await b.put('big', bytesBody(new Uint8Array(6 * MiB)), { contentType: 'application/octet-stream', metadata: {} });
  assert.equal(result.etag, '"abc-2"');
  const [create, part1, part2, complete] = http.requests;
  assert.equal(create!.method, 'POST');
  assert.equal(create!.url, 'http://127.0.0.1:4568/data/base/big?uploads=');
  assert.equal(create!.headers['content-type'], 'application/octet-stream');
  assert.equal(part1!.url, 'http://127.0.0.1:4568/data/base/big?partNumber=1&uploadId=u%2F1');
  assert.equal(part1!.headers['content-length'], String(5 * MiB));
  assert.equal(part2!.headers['content-length'], String(1 * MiB));
  assert.equal(complete!.url, 'http://127.0.0.1:4568/data/base/big?uploadId=u%2F1');
  assert.match(complete!.body!, /<Part><PartNumber>2<\/PartNumber><ETag>&quot;b&quot;<\/ETag><\/Part>/);
});

test('a failed multipart upload is aborted', async () => {
  const http = scriptedHttp([
    { status: 200, body: '<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>' },
    { status: 400, body: errorXml('EntityTooSmall') },
    { status: 204 },
  ]);
  const { backend: b } = backend(http, { multipartPartSize: 5 * MiB });
  await assert.rejects(b.put('big', bytesBody(new Uint8Array(6 * MiB)), { metadata: {} }), BackendError);
  const abort = http.requests.at(-1)!;
  assert.equal(abort.method, 'DELETE');
  assert.equal(abort.url, 'http://127.0.0.1:4568/data/base/big?uploadId=u1');
});

test('a key the backend finds too long is an UnsupportedKeyError', async () => {
  const http = scriptedHttp([{ status: 400, body: errorXml('KeyTooLongError') }]);
  await assert.rejects(
    backend(http).backend.put('k'.repeat(2000), bytesBody('x'), { metadata: {} }, { contentLength: 1 }),
    UnsupportedKeyError,
  );
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

test('a read-only view, or a connection without credentials, refuses writes without sending anything', async () => {
  const http = scriptedHttp([{ status: 200, headers: objectHeaders }]);
  const { backend: b } = backend(http);
  const readOnly = b.readOnlyView();
  await assert.rejects(readOnly.put('k', bytesBody('x'), { metadata: {} }), WriteNotAllowedError);
  await assert.rejects(readOnly.delete('k'), WriteNotAllowedError);
  assert.equal((await readOnly.head('k')).size, 5, 'reads still go through');
  const anonymous = backend(http, { credentials: undefined }).backend;
  await assert.rejects(anonymous.put('k', bytesBody('x'), { metadata: {} }, { contentLength: 1 }), WriteNotAllowedError);
  await assert.rejects(anonymous.delete('k'), WriteNotAllowedError);
  assert.equal(http.requests.length, 1);
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

test('a failing credentials provider is reported as unavailable credentials, without sending anything', async () => {
  const http = scriptedHttp([]);
  const { backend: b } = backend(http, {
    credentials: async () => {
      throw new Error('token exchange refused');
    },
  });
  await assert.rejects(b.head('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(err.message, 'storage backend credentials unavailable');
    assert.match(String((err.cause as { error: string }).error), /token exchange refused/);
    return true;
  });
  assert.equal(http.requests.length, 0);
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
