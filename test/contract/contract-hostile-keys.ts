/**
 * Contract: the hostile key corpus. Each key is stored and read back byte for
 * byte and listed exactly once under its exact key; then the keys are stored
 * together and listed in byte order.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/core/backend.ts';
import { ObjectNotFoundError } from '../../src/core/backend-errors.ts';
import { compareKeys } from '../../src/core/s3/key-order.ts';
import { validateKey } from '../../src/core/s3/keys.ts';
import { getText, listAll, listParams, put, quotedMd5, rejectsWith, type ContractContext } from './contract-support.ts';
import { coexistingHostileKeys, hostileKeys } from './hostile-keys.ts';

const contentOf = (key: string) => `content of ${JSON.stringify(key)}`;
const occurrences = (keys: string[], key: string) => keys.filter((k) => k === key).length;

async function storeTogether(backend: Backend, keys: readonly string[]) {
  for (const key of keys) await put(backend, key, contentOf(key), { metadata: { k: 'v' } });
  for (const key of keys) assert.equal(await getText(backend, key), contentOf(key), JSON.stringify(key));
  const expected = [...keys].sort(compareKeys);
  assert.deepEqual((await backend.list(listParams({}))).objects.map((o) => o.key), expected);
  assert.deepEqual((await listAll(backend, { maxKeys: 7 })).keys, expected, 'paged in sevens');
  const grouped = await listAll(backend, { delimiter: '/', maxKeys: 5 });
  const expectedPrefixes = [...new Set(keys.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1)))].sort(compareKeys);
  assert.deepEqual(grouped.prefixes, expectedPrefixes);
  assert.deepEqual(grouped.keys, expected.filter((k) => !k.includes('/')));
}

export function registerHostileKeyTests({ test }: ContractContext): void {
  test('every key in the hostile corpus is a valid key', async () => {
    for (const key of hostileKeys) assert.equal(validateKey(key), null, JSON.stringify(key));
  });

  test('each hostile key is stored, read back byte-faithfully and listed exactly once', async (backend, t) => {
    await put(backend, 'neighbour', 'n');
    for (const key of hostileKeys) {
      await t.test(JSON.stringify(key).slice(0, 80), async () => {
        const { etag } = await put(backend, key, contentOf(key), { contentType: 'text/plain', metadata: { original: 'yes' } });
        assert.equal(etag, quotedMd5(contentOf(key)));
        const got = await backend.get(key);
        assert.equal(got.info.key, key);
        assert.equal(await getText(backend, key), contentOf(key));
        const head = await backend.head(key);
        assert.equal(head.key, key);
        assert.equal(head.contentType, 'text/plain');
        assert.deepEqual(head.metadata, { original: 'yes' });
        const exact = await backend.list(listParams({ prefix: key }));
        assert.equal(occurrences(exact.objects.map((o) => o.key), key), 1, 'listed once under its own prefix');
        const all = await listAll(backend, {});
        assert.deepEqual(all.keys, ['neighbour', key].sort(compareKeys), 'listed once, exactly, next to the neighbour');
        await backend.delete(key);
        await rejectsWith(() => backend.get(key), ObjectNotFoundError);
        assert.deepEqual((await listAll(backend, {})).keys, ['neighbour']);
      });
    }
  });

  test('hostile keys that do not nest under one another coexist and list in byte order', async (backend) => {
    await storeTogether(backend, coexistingHostileKeys);
  });

  test('the whole hostile corpus coexists and lists in byte order', async (backend) => {
    await storeTogether(backend, hostileKeys);
  });

  test('keys differing only in Unicode normalisation or case are distinct objects', async (backend) => {
    await put(backend, 'caf\u00e9', 'composed');
    await put(backend, 'cafe\u0301', 'decomposed');
    await put(backend, 'Case', 'upper');
    await put(backend, 'case', 'lower');
    assert.equal(await getText(backend, 'caf\u00e9'), 'composed');
    assert.equal(await getText(backend, 'cafe\u0301'), 'decomposed');
    assert.equal(await getText(backend, 'Case'), 'upper');
    assert.equal(await getText(backend, 'case'), 'lower');
    assert.equal((await backend.list(listParams({}))).objects.length, 4);
  });
}
