/**
 * Suite: GetObject and HeadObject, whole and ranged (bounded, open-ended,
 * suffix, clamped), 416 for unsatisfiable ranges, 404 for missing keys.
 */
import assert from 'node:assert/strict';
import { type SuiteContext, type SuiteRegistry, assertNoBody, assertS3Error, xmlValue } from './suite-support.ts';

const CONTENT = '0123456789';
const ETAG = '"781e5e245d69b566979b86e28d23f2c7"'; // MD5 of CONTENT
const TARGET = '/open-data/docs/meta.bin';

async function seedMeta({ seed }: SuiteContext): Promise<void> {
  await seed('open-data', 'docs/meta.bin', CONTENT, { contentType: 'application/octet-stream', metadata: { origin: 'station-7' } });
}

export function registerReadTests({ test }: SuiteRegistry): void {
  test('GetObject returns the bytes with ETag, Content-Length, Content-Type, Last-Modified, Accept-Ranges and user metadata', async (context) => {
    await seedMeta(context);
    const got = await context.gateway.send({ target: TARGET });
    assert.equal(got.status, 200);
    assert.equal(got.text(), CONTENT);
    assert.equal(got.headers.etag, ETAG);
    assert.equal(got.headers['content-length'], '10');
    assert.equal(got.headers['content-type'], 'application/octet-stream');
    assert.equal(got.headers['accept-ranges'], 'bytes');
    assert.equal(got.headers['x-amz-meta-origin'], 'station-7');
    assert.match(got.headers['last-modified'] ?? '', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assert.equal(got.headers['content-range'], undefined);
    assert.match(got.headers['x-amz-request-id'] ?? '', /^[0-9A-F]{16}$/);
  });

  test('HeadObject answers the headers GetObject would, without a body', async (context) => {
    await seedMeta(context);
    const get = await context.gateway.send({ target: TARGET });
    const head = await context.gateway.send({ method: 'HEAD', target: TARGET });
    assert.equal(head.status, 200);
    assertNoBody(head);
    for (const name of ['etag', 'content-length', 'content-type', 'last-modified', 'accept-ranges', 'x-amz-meta-origin']) {
      assert.equal(head.headers[name], get.headers[name], name);
    }
  });

  const ranges: Array<[label: string, range: string, body: string, contentRange: string]> = [
    ['bounded', 'bytes=2-5', '2345', 'bytes 2-5/10'],
    ['bounded, one byte', 'bytes=0-0', '0', 'bytes 0-0/10'],
    ['open-ended', 'bytes=7-', '789', 'bytes 7-9/10'],
    ['open-ended from the start', 'bytes=0-', CONTENT, 'bytes 0-9/10'],
    ['suffix', 'bytes=-3', '789', 'bytes 7-9/10'],
    ['suffix longer than the object', 'bytes=-100', CONTENT, 'bytes 0-9/10'],
    ['bounded past the end (clamped)', 'bytes=8-100', '89', 'bytes 8-9/10'],
  ];

  test('a Range answers 206 with exactly the requested bytes, Content-Range and Content-Length', async (context) => {
    await seedMeta(context);
    for (const [label, range, body, contentRange] of ranges) {
      const got = await context.gateway.send({ target: TARGET, headers: { range } });
      assert.equal(got.status, 206, label);
      assert.equal(got.text(), body, label);
      assert.equal(got.headers['content-range'], contentRange, label);
      assert.equal(got.headers['content-length'], String(body.length), label);
      assert.equal(got.headers.etag, ETAG, label);
    }
  });

  test('HeadObject with a Range answers 206 with the range headers and no body', async (context) => {
    await seedMeta(context);
    const head = await context.gateway.send({ method: 'HEAD', target: TARGET, headers: { range: 'bytes=2-5' } });
    assert.equal(head.status, 206);
    assert.equal(head.headers['content-range'], 'bytes 2-5/10');
    assert.equal(head.headers['content-length'], '4');
    assertNoBody(head);
  });

  test('an unsatisfiable Range answers 416 InvalidRange with Content-Range bytes */size', async (context) => {
    await seedMeta(context);
    for (const range of ['bytes=10-20', 'bytes=10-', 'bytes=-0']) {
      const got = await context.gateway.send({ target: TARGET, headers: { range } });
      assertS3Error(got, 416, 'InvalidRange', range);
      assert.equal(got.headers['content-range'], 'bytes */10', range);
    }
  });

  test('every Range on an empty object answers 416 with Content-Range bytes */0', async (context) => {
    await context.seed('open-data', 'empty', '');
    const whole = await context.gateway.send({ target: '/open-data/empty' });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['content-length'], '0');
    assert.equal(whole.headers.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
    for (const range of ['bytes=0-0', 'bytes=0-', 'bytes=-1']) {
      const got = await context.gateway.send({ target: '/open-data/empty', headers: { range } });
      assertS3Error(got, 416, 'InvalidRange', range);
      assert.equal(got.headers['content-range'], 'bytes */0', range);
    }
  });

  test('a Range header S3 would ignore (not bytes, or several ranges) answers the whole object with 200', async (context) => {
    await seedMeta(context);
    for (const range of ['items=0-1', 'bytes=0-1,4-5', 'bytes=5-2']) {
      const got = await context.gateway.send({ target: TARGET, headers: { range } });
      assert.equal(got.status, 200, range);
      assert.equal(got.text(), CONTENT, range);
      assert.equal(got.headers['content-range'], undefined, range);
    }
  });

  test('a missing key is 404 NoSuchKey naming the resource, and HeadObject of it is 404 without a body', async (context) => {
    await seedMeta(context);
    const got = await context.gateway.send({ target: '/open-data/docs/nope.txt' });
    const xml = assertS3Error(got, 404, 'NoSuchKey');
    assert.equal(xmlValue(xml, 'Resource'), '/open-data/docs/nope.txt');
    const head = await context.gateway.send({ method: 'HEAD', target: '/open-data/docs/nope.txt' });
    assert.equal(head.status, 404);
    assertNoBody(head);
  });

  test('NoSuchKey names the key as the client sent it, never the bucket prefix inside the backend', async (context) => {
    const xml = assertS3Error(await context.gateway.send({ target: '/open-data/docs/nope.txt' }), 404, 'NoSuchKey');
    assert.equal(xmlValue(xml, 'Key'), 'docs/nope.txt');
    assert.doesNotMatch(xml, /open\/docs/);
  });

  test('keys with spaces, plus signs, unicode and reserved characters are served byte-faithfully', async (context) => {
    const keys = ['with space.txt', 'plus+sign.txt', 'ünïcødé/🌍.txt', 'semi;colon=eq&amp.txt', 'percent%41.txt'];
    for (const key of keys) await context.seed('open-data', key, `content of ${key}`);
    for (const key of keys) {
      const target = `/open-data/${key.split('/').map(encodeURIComponent).join('/')}`;
      const got = await context.gateway.send({ target });
      assert.equal(got.status, 200, key);
      assert.equal(got.text(), `content of ${key}`, key);
    }
  });
}
