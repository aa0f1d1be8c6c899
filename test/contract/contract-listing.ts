/**
 * Contract: listing — prefix, delimiters, start points, paging to
 * exhaustion, byte order and the limits of maxKeys.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/core/backend.ts';
import { compareKeys } from '../../src/core/s3/key-order.ts';
import { listAll, listParams, put, quotedMd5, type ContractContext } from './contract-support.ts';

// No key here has keys below it (`a` with `a/b`): that case has its own test, which hierarchical stores may skip.
const TREE = [
  'a-c', 'a.txt', 'a/b/c', 'a/b/d', 'a/c', 'b/x', 'photos/2023/jan/1.jpg', 'photos/2023/jan/2.jpg',
  'photos/2023/feb/1.jpg', 'photos/2024/mar/1.jpg', 'photos/index.html', 'x--y--z', 'x--a', 'x-b', 'z',
];

async function seed(backend: Backend, keys: readonly string[]) {
  for (const key of keys) await put(backend, key, `content of ${key}`);
}

export function registerListingTests({ test }: ContractContext): void {
  test('an unrestricted listing returns every key once, in byte order, with sizes and ETags', async (backend) => {
    await seed(backend, TREE);
    const page = await backend.list(listParams({}));
    assert.deepEqual(page.objects.map((o) => o.key), [...TREE].sort(compareKeys));
    assert.deepEqual(page.commonPrefixes, []);
    assert.equal(page.isTruncated, false);
    for (const o of page.objects) {
      assert.equal(o.size, Buffer.byteLength(`content of ${o.key}`), o.key);
      assert.equal(o.etag, quotedMd5(`content of ${o.key}`), o.key);
      assert.ok(o.lastModified instanceof Date && !Number.isNaN(o.lastModified.getTime()), o.key);
    }
  });

  test('an empty store and an unknown prefix list nothing', async (backend) => {
    assert.deepEqual(await backend.list(listParams({})), { objects: [], commonPrefixes: [], isTruncated: false });
    await seed(backend, ['a/b']);
    const page = await backend.list(listParams({ prefix: 'nothing/' }));
    assert.deepEqual(page.objects, []);
    assert.deepEqual(page.commonPrefixes, []);
    assert.equal(page.isTruncated, false);
  });

  test('a prefix selects the keys that start with it, including partial segments', async (backend) => {
    await seed(backend, TREE);
    const keys = async (prefix: string) => (await backend.list(listParams({ prefix }))).objects.map((o) => o.key);
    assert.deepEqual(await keys('a/b'), ['a/b/c', 'a/b/d']);
    assert.deepEqual(await keys('a/b/'), ['a/b/c', 'a/b/d']);
    assert.deepEqual(await keys('a'), ['a-c', 'a.txt', 'a/b/c', 'a/b/d', 'a/c']);
    assert.deepEqual(await keys('a.'), ['a.txt']);
    assert.deepEqual(await keys('photos/2023/j'), ['photos/2023/jan/1.jpg', 'photos/2023/jan/2.jpg']);
    assert.deepEqual(await keys('x-'), ['x--a', 'x--y--z', 'x-b']);
    assert.deepEqual(await keys('z'), ['z']);
    assert.deepEqual(await keys('z/'), []);
  });

  test('the "/" delimiter groups keys into common prefixes', async (backend) => {
    await seed(backend, TREE);
    const root = await backend.list(listParams({ delimiter: '/' }));
    assert.deepEqual(root.objects.map((o) => o.key), ['a-c', 'a.txt', 'x--a', 'x--y--z', 'x-b', 'z']);
    assert.deepEqual(root.commonPrefixes, ['a/', 'b/', 'photos/']);
    const photos = await backend.list(listParams({ prefix: 'photos/', delimiter: '/' }));
    assert.deepEqual(photos.objects.map((o) => o.key), ['photos/index.html']);
    assert.deepEqual(photos.commonPrefixes, ['photos/2023/', 'photos/2024/']);
    const partial = await backend.list(listParams({ prefix: 'photos/2023/', delimiter: '/' }));
    assert.deepEqual(partial.commonPrefixes, ['photos/2023/feb/', 'photos/2023/jan/']);
    const inA = await backend.list(listParams({ prefix: 'a/', delimiter: '/' }));
    assert.deepEqual(inA.objects.map((o) => o.key), ['a/c']);
    assert.deepEqual(inA.commonPrefixes, ['a/b/']);
  });

  test('a multi-character delimiter groups on its first occurrence after the prefix', async (backend) => {
    await seed(backend, TREE);
    const root = await backend.list(listParams({ delimiter: '--' }));
    assert.deepEqual(root.commonPrefixes, ['x--']);
    assert.ok(root.objects.some((o) => o.key === 'x-b'));
    assert.ok(!root.objects.some((o) => o.key.startsWith('x--')));
    const inner = await backend.list(listParams({ prefix: 'x--', delimiter: '--' }));
    assert.deepEqual(inner.objects.map((o) => o.key), ['x--a']);
    assert.deepEqual(inner.commonPrefixes, ['x--y--']);
    const byYear = await backend.list(listParams({ prefix: 'photos/20', delimiter: '/j' }));
    assert.deepEqual(byYear.commonPrefixes, ['photos/2023/j']);
    assert.deepEqual(byYear.objects.map((o) => o.key), ['photos/2023/feb/1.jpg', 'photos/2024/mar/1.jpg']);
  });

  test('startAfter is exclusive and skips common prefixes at or before it', async (backend) => {
    await seed(backend, TREE);
    const flat = await backend.list(listParams({ startAfter: 'photos/2023/jan/1.jpg', prefix: 'photos/' }));
    assert.deepEqual(flat.objects.map((o) => o.key), ['photos/2023/jan/2.jpg', 'photos/2024/mar/1.jpg', 'photos/index.html']);
    const grouped = await backend.list(listParams({ delimiter: '/', startAfter: 'a/' }));
    assert.deepEqual(grouped.commonPrefixes, ['b/', 'photos/']);
    assert.deepEqual(grouped.objects.map((o) => o.key), ['x--a', 'x--y--z', 'x-b', 'z']);
    const beyond = await backend.list(listParams({ startAfter: 'zz' }));
    assert.deepEqual(beyond.objects, []);
    const before = await backend.list(listParams({ startAfter: '0', prefix: 'a/b/' }));
    assert.deepEqual(before.objects.map((o) => o.key), ['a/b/c', 'a/b/d']);
  });

  test('paging with small maxKeys visits every key once, with no gaps', async (backend) => {
    await seed(backend, TREE);
    const expected = [...TREE].sort(compareKeys);
    for (const maxKeys of [1, 2, 3, 5]) {
      const { keys, pages } = await listAll(backend, { maxKeys });
      assert.deepEqual(keys, expected, `maxKeys ${maxKeys}`);
      assert.equal(pages.length, Math.ceil(expected.length / maxKeys), `pages for maxKeys ${maxKeys}`);
    }
    const { keys } = await listAll(backend, { maxKeys: 2, prefix: 'photos/', startAfter: 'photos/2023/feb/1.jpg' });
    assert.deepEqual(keys, ['photos/2023/jan/1.jpg', 'photos/2023/jan/2.jpg', 'photos/2024/mar/1.jpg', 'photos/index.html']);
  });

  test('paging through common prefixes returns each group once', async (backend) => {
    const keys = [];
    for (const dir of ['d1', 'd2', 'd3', 'd4', 'd5']) for (const file of ['1', '2', '3']) keys.push(`${dir}/${file}`);
    keys.push('d2x', 'd4.txt', 'e');
    await seed(backend, keys);
    for (const maxKeys of [1, 2, 4]) {
      const { keys: objects, prefixes } = await listAll(backend, { delimiter: '/', maxKeys });
      assert.deepEqual(prefixes, ['d1/', 'd2/', 'd3/', 'd4/', 'd5/'], `maxKeys ${maxKeys}`);
      assert.deepEqual(objects, ['d2x', 'd4.txt', 'e'], `maxKeys ${maxKeys}`);
    }
  });

  test('keys list in UTF-8 byte order, astral characters after U+E000–U+FFFF', async (backend) => {
    const keys = ['\u{1F600}', '\uE000', '\uFFFD', 'é', 'e\u0301', 'z', 'Z', '~', '\u00FF', '\u0100', 'a\u{10348}', 'a\uFB01'];
    await seed(backend, keys);
    const expected = [...keys].sort(compareKeys);
    assert.deepEqual(expected.slice(-3), ['\uE000', '\uFFFD', '\u{1F600}'], 'precondition on the expected order');
    assert.deepEqual((await backend.list(listParams({}))).objects.map((o) => o.key), expected);
    assert.deepEqual((await listAll(backend, { maxKeys: 1 })).keys, expected);
  });

  test('a key and keys below it (`a` and `a/b`) coexist and list apart', async (backend) => {
    await seed(backend, ['a', 'a/b', 'a/b/c', 'a-c']);
    assert.deepEqual((await backend.list(listParams({}))).objects.map((o) => o.key), ['a', 'a-c', 'a/b', 'a/b/c']);
    const grouped = await backend.list(listParams({ delimiter: '/' }));
    assert.deepEqual(grouped.objects.map((o) => o.key), ['a', 'a-c']);
    assert.deepEqual(grouped.commonPrefixes, ['a/']);
    const inner = await backend.list(listParams({ prefix: 'a/', delimiter: '/' }));
    assert.deepEqual(inner.objects.map((o) => o.key), ['a/b']);
    assert.deepEqual(inner.commonPrefixes, ['a/b/']);
    for (const key of ['a', 'a/b', 'a/b/c']) assert.equal((await backend.head(key)).key, key);
  });

  test('maxKeys 0 returns an empty page that is not truncated', async (backend) => {
    await seed(backend, ['a', 'b/c']);
    for (const delimiter of [undefined, '/']) {
      const page = await backend.list(listParams({ maxKeys: 0, delimiter }));
      assert.deepEqual(page.objects, []);
      assert.deepEqual(page.commonPrefixes, []);
      assert.equal(page.isTruncated, false);
      assert.equal(page.nextContinuationToken, undefined);
    }
  });

  test('a page of exactly the remaining entries is not truncated', async (backend) => {
    await seed(backend, ['a', 'b', 'c/d', 'c/e']);
    const page = await backend.list(listParams({ maxKeys: 3, delimiter: '/' }));
    assert.deepEqual(page.objects.map((o) => o.key), ['a', 'b']);
    assert.deepEqual(page.commonPrefixes, ['c/']);
    assert.equal(page.isTruncated, false);
    const truncated = await backend.list(listParams({ maxKeys: 3 }));
    assert.equal(truncated.isTruncated, true);
  });
}
