import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesBody, readAll } from '../../core/body.ts';
import { WriteNotAllowedError } from '../../core/backend-errors.ts';
import { MemoryBackend } from './memory-backend.ts';
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
