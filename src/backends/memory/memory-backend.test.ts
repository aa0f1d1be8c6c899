import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesBody, readAll } from '../../core/body.ts';
import { ObjectNotFoundError, ObjectTooLargeError, StorageFullError, WriteNotAllowedError } from '../../core/backend-errors.ts';
import { toS3Error } from '../../core/errors/to-s3-error.ts';
import { DEFAULT_MAX_BYTES, MemoryBackend } from './memory-backend.ts';
import { SortedKeySet } from './sorted-key-set.ts';

test('Last-Modified comes from the injected clock, truncated to whole seconds', async () => {
  const backend = new MemoryBackend({ now: () => new Date('2024-03-01T10:20:30.999Z') });
  await backend.put('k', bytesBody('x'), { metadata: {} });
  assert.equal((await backend.head('k')).lastModified.toISOString(), '2024-03-01T10:20:30.000Z');
});

test('a read-only view sees later writes to the backend it was made from', async () => {
  const backend = new MemoryBackend();
  const view = backend.readOnlyView();
  assert.equal(view.readOnly, true);
  await backend.put('k', bytesBody('x'), { metadata: {} });
  assert.equal((await view.head('k')).size, 1);
  await assert.rejects(view.put('k', bytesBody('y'), { metadata: {} }), WriteNotAllowedError);
});

test('returned infos and bodies are copies the caller cannot use to alter the store', async () => {
  const backend = new MemoryBackend();
  await backend.put('k', bytesBody('abc'), { metadata: { a: '1' } });
  const got = await backend.get('k');
  got.info.metadata.a = 'changed';
  const read = await readAll(got.body);
  read[0] = 0;
  assert.deepEqual((await backend.head('k')).metadata, { a: '1' });
  assert.equal(new TextDecoder().decode(await readAll((await backend.get('k')).body)), 'abc');
  const ranged = await backend.get('k', { range: { kind: 'bounded', first: 0, last: 0 } });
  await readAll(ranged.body);
  assert.equal(new TextDecoder().decode(await readAll((await backend.get('k')).body)), 'abc', 'a ranged read does not detach the stored bytes');
});

test('a listing neither skips nor repeats keys when an earlier key is deleted while it runs', async () => {
  const backend = new MemoryBackend();
  for (const key of ['a', 'b', 'c', 'd']) await backend.put(key, bytesBody(key), { metadata: {} });
  const listing = backend.list({ prefix: '', maxKeys: 10 });
  // The listing has already passed 'a'; removing it shifts the positions of the keys still to come.
  await backend.delete('a');
  const page = await listing;
  assert.deepEqual(page.objects.map((o) => o.key), ['a', 'b', 'c', 'd']);
});

test('SortedKeySet keeps byte order and seeks past prefixes', () => {
  const set = new SortedKeySet();
  for (const key of ['b', 'a/1', '\u{1F600}', '\uE000', 'a/2', 'a-', 'a', 'a/2']) set.add(key);
  const all = Array.from({ length: set.size }, (_, i) => set.at(i));
  assert.deepEqual(all, ['a', 'a-', 'a/1', 'a/2', 'b', '\uE000', '\u{1F600}']);
  assert.equal(set.lowerBound('a/'), 2);
  assert.equal(set.upperBound('a/1'), 3);
  assert.equal(set.pastPrefix('a/'), 4);
  assert.equal(set.pastPrefix('a'), 4);
  assert.equal(set.pastPrefix('0'), 0);
  set.delete('a-');
  set.delete('missing');
  assert.equal(set.size, 6);
  assert.equal(set.at(1), 'a/1');
});

/** `count` chunks of `size` bytes, recording how many were pulled. */
function countedBody(count: number, size: number) {
  const body = { pulled: 0, stream: new ReadableStream<Uint8Array>() };
  // No read-ahead, so `pulled` counts exactly the chunks the backend asked for.
  body.stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (body.pulled === count) return controller.close();
      body.pulled++;
      controller.enqueue(new Uint8Array(size).fill(body.pulled));
    },
  }, { highWaterMark: 0 });
  return body;
}

const sizeOf = async (backend: MemoryBackend, key: string) => (await backend.head(key)).size;

test('the default cap on what a memory backend holds is 256 MiB', () => {
  assert.equal(DEFAULT_MAX_BYTES, 256 * 1024 * 1024);
  assert.equal(new MemoryBackend().maxBytes, DEFAULT_MAX_BYTES);
  assert.equal(new MemoryBackend({ maxBytes: 10 }).readOnlyView().maxBytes, 10);
});

test('an object larger than the cap fails with ObjectTooLargeError while streaming, storing nothing', async () => {
  const backend = new MemoryBackend({ maxBytes: 1000 });
  const body = countedBody(10, 200);
  const error = await backend.put('big', body.stream, { metadata: {} }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ObjectTooLargeError, String(error));
  assert.ok(body.pulled <= 7, `reading stopped once over the cap (pulled ${body.pulled} of 10 chunks)`);
  assert.deepEqual([toS3Error(error)?.code, toS3Error(error)?.status], ['EntityTooLarge', 400]);
  await assert.rejects(backend.head('big'), ObjectNotFoundError);
  const declared = countedBody(10, 200);
  await assert.rejects(backend.put('big', declared.stream, { metadata: {} }, { contentLength: 2000 }), ObjectTooLargeError);
  assert.equal(declared.pulled, 0, 'a declared length over the cap fails before reading');
  await backend.put('exact', countedBody(5, 200).stream, { metadata: {} });
  assert.equal(await sizeOf(backend, 'exact'), 1000, 'an object of exactly the cap fits');
});

test('a put that would fill the store beyond its cap fails with StorageFullError, keeping what is stored', async () => {
  const backend = new MemoryBackend({ maxBytes: 1000 });
  await backend.put('a', countedBody(3, 200).stream, { metadata: {} });
  await backend.put('b', countedBody(3, 100).stream, { metadata: {} });
  const error = await backend.put('c', countedBody(2, 100).stream, { metadata: {} }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StorageFullError, String(error));
  assert.deepEqual([toS3Error(error)?.code, toS3Error(error)?.status], ['ServiceUnavailable', 503]);
  await assert.rejects(backend.head('c'), ObjectNotFoundError);
  await assert.rejects(backend.put('c', countedBody(1, 1).stream, { metadata: {} }, { contentLength: 101 }), StorageFullError);
  // Replacing counts the new size instead of the old one.
  await backend.put('a', countedBody(7, 100).stream, { metadata: {} });
  await assert.rejects(backend.put('a', countedBody(8, 100).stream, { metadata: { v: '3' } }), StorageFullError);
  assert.equal(await sizeOf(backend, 'a'), 700, 'the previous version is intact');
  assert.deepEqual((await backend.head('a')).metadata, {});
  await backend.delete('b');
  await backend.put('c', countedBody(3, 100).stream, { metadata: {} });
  assert.deepEqual((await backend.list({ prefix: '', maxKeys: 10 })).objects.map((o) => [o.key, o.size]), [['a', 700], ['c', 300]]);
});

test('concurrent uploads together never exceed the cap', async () => {
  const backend = new MemoryBackend({ maxBytes: 1000 });
  const results = await Promise.allSettled(['x', 'y', 'z'].map((key) => backend.put(key, countedBody(6, 100).stream, { metadata: {} })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const result of results) if (result.status === 'rejected') assert.ok(result.reason instanceof StorageFullError);
  const stored = (await backend.list({ prefix: '', maxKeys: 10 })).objects;
  assert.deepEqual(stored.map((o) => o.size), [600]);
});
