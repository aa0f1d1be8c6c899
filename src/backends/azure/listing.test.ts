import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListParams } from '../../core/backend.ts';
import { compareKeys } from '../../core/s3/key-order.ts';
import { listObjects, type ListBlobsPageReader } from './listing.ts';
import type { ListedEntry } from './xml.ts';

/**
 * A List Blobs service double: names in UTF-16 code-unit order (as JS sorts,
 * and Azurite lists), grouped on the delimiter, prefixes sent before blobs
 * within a page as Azurite does; optionally cutting multi-character
 * delimiters one character short, as Azurite does.
 */
function fakeService(names: string[], options: { shortDelimiters?: boolean } = {}) {
  const calls: { prefix: string; delimiter?: string; marker?: string }[] = [];
  const read: ListBlobsPageReader = async ({ prefix, delimiter, marker, maxResults }) => {
    calls.push({ prefix, delimiter, marker });
    const entries: ListedEntry[] = [];
    const seen = new Set<string>();
    for (const name of [...names].sort()) {
      if (!name.startsWith(prefix)) continue;
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const group = name.slice(0, cut + (options.shortDelimiters ? 1 : delimiter!.length));
        if (!seen.has(group)) entries.push({ kind: 'prefix', name: group });
        seen.add(group);
      } else {
        entries.push({ kind: 'blob', name, size: 1, azureEtag: '"0x1"', lastModified: new Date(0), metadata: {} });
      }
    }
    const start = marker ? Number(marker) : 0;
    const page = entries.slice(start, start + maxResults);
    page.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'prefix' ? -1 : 1));
    const next = start + maxResults < entries.length ? String(start + maxResults) : undefined;
    return next ? { entries: page, nextMarker: next } : { entries: page };
  };
  return { read, calls };
}

async function listAll(read: ListBlobsPageReader, params: Partial<ListParams>) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await listObjects(read, '', { prefix: '', maxKeys: 1000, ...params, continuationToken: token });
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.commonPrefixes);
    if (!page.isTruncated) return { keys, prefixes };
    token = page.nextContinuationToken;
  }
  throw new Error('paging did not end');
}

describe('Azure listings in S3 order', () => {
  const astral = ['\u{1F600}', '\uE000', '\uFFFD', 'a', 'a\u{10348}', 'a\uFB01', 'b/1', 'b/2', 'c'];

  it('reorders a service that lists in UTF-16 order into UTF-8 byte order, on every page size', async () => {
    const { read } = fakeService(astral);
    const expected = [...astral].sort(compareKeys);
    assert.notDeepEqual([...astral].sort(), expected, 'precondition: the orders differ');
    for (const maxKeys of [1, 2, 3, 1000]) assert.deepEqual((await listAll(read, { maxKeys })).keys, expected, `maxKeys ${maxKeys}`);
  });

  it('merges prefixes sent apart from blobs, and resumes from the service marker', async () => {
    const names = ['d1/1', 'd1/2', 'd2/1', 'd2x', 'd3/1', 'd4.txt', 'd4/1', 'e'];
    const { read, calls } = fakeService(names);
    const all = await listAll(read, { delimiter: '/', maxKeys: 1 });
    assert.deepEqual(all.prefixes, ['d1/', 'd2/', 'd3/', 'd4/']);
    assert.deepEqual(all.keys, ['d2x', 'd4.txt', 'e']);
    assert.ok(calls.every((c) => c.delimiter === '/'), 'the service groups');
  });

  it('groups in the gateway when the service cuts a multi-character delimiter wrongly', async () => {
    const { read, calls } = fakeService(['x--y--z', 'x--a', 'x-b', 'z'], { shortDelimiters: true });
    const page = await listObjects(read, '', { prefix: '', delimiter: '--', maxKeys: 1000 });
    assert.deepEqual(page.commonPrefixes, ['x--']);
    assert.deepEqual(page.objects.map((o) => o.key), ['x-b', 'z']);
    assert.equal(calls.at(-1)!.delimiter, undefined);
  });

  it('applies startAfter exclusively, also to keys with astral characters', async () => {
    const { read } = fakeService(astral);
    const expected = [...astral].sort(compareKeys);
    assert.deepEqual((await listAll(read, { startAfter: '\uE000', maxKeys: 2 })).keys, expected.slice(expected.indexOf('\uE000') + 1));
    assert.deepEqual((await listAll(read, { startAfter: 'a' })).keys, expected.slice(expected.indexOf('a') + 1));
  });

  it('strips the base prefix and refuses tokens it did not issue', async () => {
    const { read } = fakeService(['base/a', 'base/b', 'other']);
    const page = await listObjects(read, 'base/', { prefix: '', maxKeys: 1 });
    assert.deepEqual(page.objects.map((o) => o.key), ['a']);
    assert.ok(page.nextContinuationToken);
    const next = await listObjects(read, 'base/', { prefix: '', maxKeys: 1, continuationToken: page.nextContinuationToken });
    assert.deepEqual(next.objects.map((o) => o.key), ['b']);
    await assert.rejects(listObjects(read, 'base/', { prefix: '', maxKeys: 1, continuationToken: 'not-a-token' }));
  });
});
