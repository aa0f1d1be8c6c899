/**
 * S3 backend uploads against a scripted HttpClient: streamed PUTs of known
 * length, buffered and multipart uploads of unknown length, refused writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackendError,
  BackendUnavailableError,
  UnsupportedKeyError,
  WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import { backend, errorXml, objectHeaders, recordingSigner, scriptedHttp } from './s3-test-doubles.test-helper.ts';

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
