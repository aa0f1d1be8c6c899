/**
 * Suite: writes. A signed PutObject stores exactly the bytes sent and answers
 * their MD5 ETag, which GetObject then serves; DeleteObject answers 204; bad
 * digests and unauthorised writes store nothing.
 */
import assert from 'node:assert/strict';
import { READER, type SuiteRegistry, assertNoBody, assertS3Error, quotedMd5, signed } from './suite-support.ts';

/** Every byte value, several times over: binary-safe and more than one chunk on most paths. */
function binaryPayload(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
}

export function registerUploadTests({ test }: SuiteRegistry): void {
  test('PutObject then GetObject returns the same bytes and the ETag PutObject answered', async (context) => {
    const payload = binaryPayload(200 * 1024 + 3);
    const put = await context.gateway.send(await signed(context.gateway, {
      method: 'PUT',
      target: '/restricted/uploads/blob.bin',
      headers: { 'content-type': 'application/x-test', 'x-amz-meta-station': 'x7' },
      body: payload,
    }));
    assert.equal(put.status, 200, put.text());
    assert.equal(put.headers.etag, quotedMd5(payload));
    assertNoBody(put);
    const got = await context.gateway.send(await signed(context.gateway, { target: '/restricted/uploads/blob.bin' }));
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, payload);
    assert.equal(got.headers.etag, put.headers.etag);
    assert.equal(got.headers['content-type'], 'application/x-test');
    assert.equal(got.headers['x-amz-meta-station'], 'x7');
    assert.equal(got.headers['content-length'], String(payload.byteLength));
  });

  test('PutObject with an unsigned payload stores the body as sent', async (context) => {
    const put = await context.gateway.send(await signed(context.gateway, { method: 'PUT', target: '/open-data/unsigned.txt', body: 'as sent' }, { payloadHash: 'UNSIGNED-PAYLOAD' }));
    assert.equal(put.status, 200, put.text());
    const got = await context.gateway.send({ target: '/open-data/unsigned.txt' });
    assert.equal(got.text(), 'as sent');
    assert.equal(got.headers.etag, quotedMd5('as sent'));
  });

  test('PutObject of an empty body stores an empty object', async (context) => {
    const put = await context.gateway.send(await signed(context.gateway, { method: 'PUT', target: '/open-data/empty', body: '' }));
    assert.equal(put.status, 200, put.text());
    assert.equal(put.headers.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
    const got = await context.gateway.send({ target: '/open-data/empty' });
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-length'], '0');
  });

  test('DeleteObject answers 204 and the key is gone; deleting a missing key is 204 too', async (context) => {
    await context.seed('restricted', 'gone.txt', 'soon gone');
    const deleted = await context.gateway.send(await signed(context.gateway, { method: 'DELETE', target: '/restricted/gone.txt' }));
    assert.equal(deleted.status, 204, deleted.text());
    assertNoBody(deleted);
    assertS3Error(await context.gateway.send(await signed(context.gateway, { target: '/restricted/gone.txt' })), 404, 'NoSuchKey');
    const again = await context.gateway.send(await signed(context.gateway, { method: 'DELETE', target: '/restricted/gone.txt' }));
    assert.equal(again.status, 204);
  });

  test('anonymous writes and writes by a read-only key are 403 AccessDenied and store nothing', async (context) => {
    assertS3Error(await context.gateway.send({ method: 'PUT', target: '/open-data/anon.txt', body: 'x' }), 403, 'AccessDenied', 'anonymous PUT');
    const readOnly = await signed(context.gateway, { method: 'PUT', target: '/open-data/reader.txt', body: 'x' }, { key: READER });
    assertS3Error(await context.gateway.send(readOnly), 403, 'AccessDenied', 'read-only key');
    await context.seed('open-data', 'keep.txt', 'kept');
    assertS3Error(await context.gateway.send({ method: 'DELETE', target: '/open-data/keep.txt' }), 403, 'AccessDenied', 'anonymous DELETE');
    assertS3Error(await context.gateway.send({ target: '/open-data/anon.txt' }), 404, 'NoSuchKey');
    assertS3Error(await context.gateway.send({ target: '/open-data/reader.txt' }), 404, 'NoSuchKey');
    assert.equal((await context.gateway.send({ target: '/open-data/keep.txt' })).text(), 'kept');
  });

  test('a body that does not match its signed SHA-256 is 400 XAmzContentSHA256Mismatch and stores nothing', async (context) => {
    const request = await signed(context.gateway, { method: 'PUT', target: '/open-data/digest.txt', body: 'the signed body' });
    const refused = await context.gateway.send({ ...request, body: 'a body of other bytes' });
    assertS3Error(refused, 400, 'XAmzContentSHA256Mismatch');
    assertS3Error(await context.gateway.send({ target: '/open-data/digest.txt' }), 404, 'NoSuchKey');
  });

  test('a Content-MD5 that does not match the body is 400 BadDigest and stores nothing', async (context) => {
    const request = await signed(context.gateway, { method: 'PUT', target: '/open-data/md5.txt', headers: { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' }, body: 'payload' });
    assertS3Error(await context.gateway.send(request), 400, 'BadDigest');
    assertS3Error(await context.gateway.send({ target: '/open-data/md5.txt' }), 404, 'NoSuchKey');
  });
}
