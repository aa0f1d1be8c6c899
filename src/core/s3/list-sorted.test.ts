import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListParams, ObjectSummary } from '../backend.ts';
import { compareKeys } from './key-order.ts';
import { listSorted, listStartPoint } from './list-sorted.ts';

const when = new Date('2024-01-01T00:00:00Z');
const summary = (key: string): ObjectSummary => ({ key, size: key.length, etag: '"e"', lastModified: when });
const sorted = (keys: string[]) => [...new Set(keys)].sort(compareKeys).map(summary);
const params = (p: Partial<ListParams>): ListParams => ({ prefix: '', maxKeys: 1000, ...p });

/** The listing spelled out naively, to check the streaming one against. */
function reference(keys: string[], p: ListParams): string[] {
  const after = listStartPoint(p);
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(p.prefix)) continue;
    const cut = p.delimiter ? key.indexOf(p.delimiter, p.prefix.length) : -1;
    const entry = cut >= 0 ? key.slice(0, cut + p.delimiter!.length) : key;
    if (after !== undefined && compareKeys(entry, after) <= 0) continue;
    out.add((cut >= 0 ? 'P:' : 'K:') + entry);
  }
  return [...out].sort((a, b) => compareKeys(a.slice(2), b.slice(2)));
}

async function pageAll(keys: string[], p: ListParams) {
  const source = sorted(keys);
  const seen: string[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await listSorted(source, { ...p, continuationToken: token });
    assert.ok(page.objects.length + page.commonPrefixes.length <= p.maxKeys);
    const entries = [...page.objects.map((o) => 'K:' + o.key), ...page.commonPrefixes.map((c) => 'P:' + c)]
      .sort((a, b) => compareKeys(a.slice(2), b.slice(2)));
    seen.push(...entries);
    if (!page.isTruncated) {
      assert.equal(page.nextContinuationToken, undefined);
      return seen;
    }
    assert.ok(entries.length > 0, 'a truncated page makes progress');
    assert.equal(page.nextContinuationToken, entries.at(-1)!.slice(2), 'the token is the last entry returned');
    token = page.nextContinuationToken;
  }
  throw new Error('paging did not terminate');
}

test('lists everything in byte order without a delimiter', async () => {
  const keys = ['b', 'a', '\uE000', '\u{1F600}', 'a/b', 'a-c'];
  const page = await listSorted(sorted(keys), params({}));
  assert.deepEqual(page.objects.map((o) => o.key), ['a', 'a-c', 'a/b', 'b', '\uE000', '\u{1F600}']);
  assert.deepEqual(page.commonPrefixes, []);
  assert.equal(page.isTruncated, false);
});

test('filters by prefix and stops past it', async () => {
  let pulled = 0;
  function* source() {
    for (const s of sorted(['a', 'b/1', 'b/2', 'c', 'd'])) {
      pulled++;
      yield s;
    }
  }
  const page = await listSorted(source(), params({ prefix: 'b/' }));
  assert.deepEqual(page.objects.map((o) => o.key), ['b/1', 'b/2']);
  assert.equal(pulled, 4, 'reads one entry past the prefix range, no more');
});

test('groups by "/" into common prefixes', async () => {
  const keys = ['a/1', 'a/2', 'b', 'c/d/e', 'c/x', 'dir/', 'dir/x'];
  const page = await listSorted(sorted(keys), params({ delimiter: '/' }));
  assert.deepEqual(page.objects.map((o) => o.key), ['b']);
  assert.deepEqual(page.commonPrefixes, ['a/', 'c/', 'dir/']);
  const inner = await listSorted(sorted(keys), params({ prefix: 'dir/', delimiter: '/' }));
  assert.deepEqual(inner.objects.map((o) => o.key), ['dir/', 'dir/x']);
});

test('groups by a multi-character delimiter found after the prefix', async () => {
  const keys = ['x--y--z', 'x--a', 'x-b', 'q--r'];
  const page = await listSorted(sorted(keys), params({ delimiter: '--' }));
  assert.deepEqual(page.commonPrefixes, ['q--', 'x--']);
  assert.deepEqual(page.objects.map((o) => o.key), ['x-b']);
  const inner = await listSorted(sorted(keys), params({ prefix: 'x--', delimiter: '--' }));
  assert.deepEqual(inner.commonPrefixes, ['x--y--']);
  assert.deepEqual(inner.objects.map((o) => o.key), ['x--a']);
});

test('a delimiter that overlaps the prefix end is searched for only after the prefix', async () => {
  const page = await listSorted(sorted(['a/b/c']), params({ prefix: 'a/', delimiter: '/' }));
  assert.deepEqual(page.commonPrefixes, ['a/b/']);
});

test('startAfter is exclusive and a common prefix at or before it is skipped', async () => {
  const keys = ['a/1', 'a/2', 'b', 'c/1'];
  const page = await listSorted(sorted(keys), params({ delimiter: '/', startAfter: 'a/' }));
  assert.deepEqual(page.commonPrefixes, ['c/']);
  assert.deepEqual(page.objects.map((o) => o.key), ['b']);
  const inGroup = await listSorted(sorted(keys), params({ delimiter: '/', startAfter: 'a/1' }));
  assert.deepEqual(inGroup.commonPrefixes, ['c/']);
  const plain = await listSorted(sorted(keys), params({ startAfter: 'a/1' }));
  assert.deepEqual(plain.objects.map((o) => o.key), ['a/2', 'b', 'c/1']);
});

test('the later of startAfter and the continuation token wins', async () => {
  const keys = ['a', 'b', 'c', 'd'];
  const one = await listSorted(sorted(keys), params({ startAfter: 'c', continuationToken: 'a' }));
  assert.deepEqual(one.objects.map((o) => o.key), ['d']);
  const two = await listSorted(sorted(keys), params({ startAfter: 'a', continuationToken: 'b' }));
  assert.deepEqual(two.objects.map((o) => o.key), ['c', 'd']);
});

test('maxKeys counts objects and common prefixes together and marks truncation', async () => {
  const keys = ['a/1', 'b', 'c/1', 'd'];
  const page = await listSorted(sorted(keys), params({ delimiter: '/', maxKeys: 2 }));
  assert.deepEqual(page.commonPrefixes, ['a/']);
  assert.deepEqual(page.objects.map((o) => o.key), ['b']);
  assert.equal(page.isTruncated, true);
  assert.equal(page.nextContinuationToken, 'b');
});

test('a page that exactly exhausts the listing is not truncated', async () => {
  const page = await listSorted(sorted(['a', 'b']), params({ maxKeys: 2 }));
  assert.equal(page.isTruncated, false);
  assert.equal(page.nextContinuationToken, undefined);
});

test('a page ending in a common prefix whose group continues is not truncated by that group', async () => {
  const page = await listSorted(sorted(['a/1', 'a/2', 'a/3']), params({ delimiter: '/', maxKeys: 1 }));
  assert.deepEqual(page.commonPrefixes, ['a/']);
  assert.equal(page.isTruncated, false);
});

test('maxKeys 0 returns an empty, untruncated page without reading the source', async () => {
  const source = { *[Symbol.iterator]() { throw new Error('must not be read'); } } as Iterable<ObjectSummary>;
  const page = await listSorted(source, params({ maxKeys: 0 }));
  assert.deepEqual(page, { objects: [], commonPrefixes: [], isTruncated: false });
});

test('skipPrefix is offered each group so the source can jump past it', async () => {
  const all = sorted(['a/1', 'a/2', 'a/3', 'b/1', 'b/2', 'c']);
  let index = 0;
  const skipped: string[] = [];
  const source: Iterable<ObjectSummary> = {
    *[Symbol.iterator]() {
      while (index < all.length) yield all[index++]!;
    },
  };
  const page = await listSorted(source, params({ delimiter: '/' }), {
    skipPrefix(prefix) {
      skipped.push(prefix);
      while (index < all.length && all[index]!.key.startsWith(prefix)) index++;
    },
  });
  assert.deepEqual(page.commonPrefixes, ['a/', 'b/']);
  assert.deepEqual(page.objects.map((o) => o.key), ['c']);
  assert.deepEqual(skipped, ['a/', 'b/']);
});

test('summarize turns selected entries into summaries and drops vanished ones', async () => {
  const entries = ['a', 'b', 'c'].map((key) => ({ key }));
  const page = await listSorted(entries, params({ maxKeys: 2 }), {
    summarize: async (e) => (e.key === 'b' ? undefined : summary(e.key)),
  });
  assert.deepEqual(page.objects.map((o) => o.key), ['a']);
  assert.equal(page.isTruncated, true);
  assert.equal(page.nextContinuationToken, 'b');
});

test('an aborted signal stops the listing', async () => {
  const controller = new AbortController();
  controller.abort(new Error('gone'));
  await assert.rejects(listSorted(sorted(['a']), params({ signal: controller.signal })), /gone/);
});

test('paging with small pages matches the reference listing: no duplicates, no gaps', async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const alphabet = ['a', 'b', '/', '-', '/', 'é', '\u{1F600}', '\uE000', '--'];
  const keys: string[] = [];
  for (let i = 0; i < 300; i++) {
    let key = '';
    const length = 1 + Math.floor(random() * 6);
    for (let j = 0; j < length; j++) key += alphabet[Math.floor(random() * alphabet.length)];
    keys.push(key);
  }
  for (const delimiter of [undefined, '/', '--', 'é']) {
    for (const prefix of ['', 'a', 'a/', '/']) {
      for (const maxKeys of [1, 2, 7, 1000]) {
        for (const startAfter of [undefined, 'a/', 'b']) {
          const p = params({ prefix, delimiter, maxKeys, startAfter });
          assert.deepEqual(await pageAll(keys, p), reference(keys, p), JSON.stringify({ prefix, delimiter, maxKeys, startAfter }));
        }
      }
    }
  }
});
