/**
 * The upload body pipeline: declared sizes checked before any byte is read,
 * lengths counted, the last bytes held back until every check has passed,
 * and runtime streams passed through untouched when nothing needs to look.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuntimeBody, bytesBody, readAll } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';
import { holdBackLast } from './hold-back.ts';
import { prepareUploadBody } from './upload-body.ts';

const encoder = new TextEncoder();
const MD5_OF_HELLO = 'XUFAKrxLKna5cZ2REBfFkg=='; // md5("hello")

function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

/** A stream that ends with an error after its chunks, as a failed digest check does. */
function failingAtEnd(error: Error, ...parts: string[]): ReadableStream<Uint8Array> {
  return chunks(...parts).pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    flush() {
      throw error;
    },
  }));
}

const codeOf = (error: unknown) => (error instanceof S3Error ? error.code : String(error));

test('hold-back hands a chunk on only once the next one or a clean end has been read', async () => {
  const held = holdBackLast(failingAtEnd(new S3Error('BadDigest', 'bad'), 'a', 'b', 'c'));
  const reader = held.stream.getReader();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(new TextDecoder().decode(value));
    }
  }, (error: unknown) => codeOf(error) === 'BadDigest');
  assert.deepEqual(seen, ['a', 'b'], 'the last chunk never came out of a body that failed at its end');
  assert.equal(codeOf(held.failure()), 'BadDigest');

  const clean = holdBackLast(chunks('x', '', 'y'));
  assert.equal(new TextDecoder().decode(await readAll(clean.stream)), 'xy');
  assert.equal(clean.failure(), undefined);
});

test('a declared size over the limit is refused before the body is read', async () => {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({ pull: () => void (pulled = true) }, { highWaterMark: 0 });
  await assert.rejects(
    prepareUploadBody({ body, declaredLength: 5 * 1024 ** 3 + 1, maxObjectSize: 5 * 1024 ** 3 }),
    (error: unknown) => codeOf(error) === 'EntityTooLarge',
  );
  assert.equal(pulled, false);
});

test('a body of unknown length fails once it grows past the limit', async () => {
  const upload = await prepareUploadBody({ body: chunks('abc', 'def'), maxObjectSize: 4 });
  await assert.rejects(readAll(upload.body), (error: unknown) => codeOf(error) === 'EntityTooLarge');
  assert.equal(codeOf(upload.failure()), 'EntityTooLarge');
});

test('a body shorter than declared is IncompleteBody, a longer one InvalidRequest, and neither ends cleanly', async () => {
  const short = await prepareUploadBody({ body: chunks('abc'), declaredLength: 5, maxObjectSize: 100 });
  const shortReader = short.body instanceof ReadableStream ? short.body.getReader() : assert.fail('expected a Web stream');
  await assert.rejects(shortReader.read(), (error: unknown) => codeOf(error) === 'IncompleteBody');
  assert.equal(codeOf(short.failure()), 'IncompleteBody');

  const long = await prepareUploadBody({ body: chunks('abc', 'def'), declaredLength: 5, maxObjectSize: 100 });
  await assert.rejects(readAll(long.body), (error: unknown) => codeOf(error) === 'InvalidRequest');
  assert.equal(codeOf(long.failure()), 'InvalidRequest');
});

test('a wrong Content-MD5 on an empty body fails before any backend is called', async () => {
  await assert.rejects(
    prepareUploadBody({ body: chunks(), declaredLength: 0, maxObjectSize: 100, contentMd5: MD5_OF_HELLO }),
    (error: unknown) => codeOf(error) === 'BadDigest',
  );
  await assert.rejects(
    prepareUploadBody({ body: chunks('hello'), declaredLength: 5, maxObjectSize: 100, contentMd5: 'not-base64' }),
    (error: unknown) => codeOf(error) === 'InvalidDigest',
  );
  const good = await prepareUploadBody({ body: chunks('hel', 'lo'), declaredLength: 5, maxObjectSize: 100, contentMd5: MD5_OF_HELLO });
  assert.equal(new TextDecoder().decode(await readAll(good.body)), 'hello');
});

test('a wrong checksum keeps the last bytes back; the right one is reported', async () => {
  const wrong = await prepareUploadBody({
    body: chunks('hel', 'lo'), declaredLength: 5, maxObjectSize: 100,
    checksum: { algorithm: 'crc32', expected: () => 'AAAAAA==' },
  });
  const reader = (wrong.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), 'hel');
  await assert.rejects(reader.read(), (error: unknown) => codeOf(error) === 'BadDigest');
  const right = await prepareUploadBody({
    body: chunks('hello'), declaredLength: 5, maxObjectSize: 100,
    checksum: { algorithm: 'crc32', expected: () => 'NhCmhg==' },
  });
  await readAll(right.body);
  assert.deepEqual(right.checksumHeader(), ['x-amz-checksum-crc32', 'NhCmhg==']);
});

test('a runtime stream nothing needs to look at is passed on untouched', async () => {
  const native = { kind: 'node-readable' };
  const runtime = new RuntimeBody(native, () => assert.fail('the Web view must not be taken'));
  const upload = await prepareUploadBody({ body: runtime, declaredLength: 5, maxObjectSize: 100 });
  assert.equal(upload.body, runtime, 'the same RuntimeBody, holding the native stream');
  assert.equal(upload.failure(), undefined);
});

test('a runtime stream that a check must see goes through the Web stream path', async () => {
  const runtime = new RuntimeBody({}, () => chunks('hello'));
  const withMd5 = await prepareUploadBody({ body: runtime, declaredLength: 5, maxObjectSize: 100, contentMd5: MD5_OF_HELLO });
  assert.ok(withMd5.body instanceof ReadableStream);
  assert.equal(new TextDecoder().decode(await readAll(withMd5.body)), 'hello');
  const unsized = await prepareUploadBody({ body: new RuntimeBody({}, () => chunks('abc')), maxObjectSize: 100 });
  assert.ok(unsized.body instanceof ReadableStream, 'a body of unknown length is counted against the limit');
});

test('a body that breaks for a reason of its own (the client went away) is IncompleteBody', async () => {
  let pulls = 0;
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ < 2) controller.enqueue(encoder.encode('abc'));
      else controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    },
  }, { highWaterMark: 0 });
  const upload = await prepareUploadBody({ body: broken, declaredLength: 10, maxObjectSize: 100 });
  await assert.rejects(readAll(upload.body));
  assert.equal(codeOf(upload.failure()), 'IncompleteBody');
  await assert.rejects(prepareUploadBody({ body: undefined, declaredLength: 3, maxObjectSize: 100 }), (error: unknown) => codeOf(error) === 'IncompleteBody');
  const empty = await prepareUploadBody({ body: undefined, declaredLength: 0, maxObjectSize: 100 });
  assert.equal((await readAll(empty.body)).byteLength, 0);
});
