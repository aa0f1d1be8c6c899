/** Tests for scoped backends: the prefix applied to keys in and out, and optional capabilities forwarded only when present. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from './backend.ts';
import { MemoryBackend } from '../backends/memory/memory-backend.ts';
import {
  type ConditionalWrites,
  type MultipartOperations,
  type NativeCopy,
  hasConditionalWrites,
  hasMultipart,
  hasNativeCopy,
} from './backend-capabilities.ts';
import { bytesBody } from './body.ts';
import { scopeBackend } from './scoped-backend.ts';

/** A memory backend with every capability, each recording the keys it was given. */
function capableBackend() {
  const calls: string[] = [];
  const record = (entry: string) => calls.push(entry);
  const multipart: MultipartOperations = {
    create: async (key) => (record(`create ${key}`), { uploadId: 'u1' }),
    uploadPart: async (key, uploadId, partNumber) => (record(`part ${key} ${uploadId} ${partNumber}`), { etag: '"p"' }),
    complete: async (key, uploadId, parts) => (record(`complete ${key} ${uploadId} ${parts.length}`), { etag: '"m-1"' }),
    abort: async (key, uploadId) => void record(`abort ${key} ${uploadId}`),
    listParts: async (key, uploadId) => (record(`parts ${key} ${uploadId}`), { parts: [], isTruncated: false }),
    listUploads: async (params) => {
      record(`uploads ${params.prefix} ${params.keyMarker ?? '-'}`);
      return {
        uploads: [{ key: 'data/x/big.bin', uploadId: 'u1', initiated: new Date(0) }],
        commonPrefixes: ['data/x/sub/'],
        isTruncated: true,
        nextKeyMarker: 'data/x/big.bin',
        nextUploadIdMarker: 'u1',
      };
    },
  };
  const copy: NativeCopy['copy'] = async (from, to) => (record(`copy ${from} ${to}`), { etag: '"c"', lastModified: new Date(0) });
  const conditionalPut: ConditionalWrites['conditionalPut'] = async (key, _body, _metadata, conditions) => (
    record(`put ${key} ${conditions.ifNoneMatch ?? conditions.ifMatch}`), { etag: '"w"' }
  );
  return { backend: Object.assign(new MemoryBackend(), { multipart, copy, conditionalPut }), calls };
}

describe('scopeBackend', () => {
  it('adds the prefix to keys in and removes it from keys and common prefixes out', async () => {
    const inner = new MemoryBackend();
    for (const key of ['data/x/a.txt', 'data/x/sub/b.txt', 'data/xy/leak.txt', 'other.txt']) await inner.put(key, bytesBody(key), { metadata: {} });
    const scoped = scopeBackend(inner, 'data/x/');
    assert.equal((await scoped.head('a.txt')).key, 'a.txt');
    const listing = await scoped.list({ prefix: '', delimiter: '/', maxKeys: 10 });
    assert.deepEqual(listing.objects.map((o) => o.key), ['a.txt']);
    assert.deepEqual(listing.commonPrefixes, ['sub/']);
    await scoped.put('new.txt', bytesBody('n'), { metadata: {} });
    assert.equal((await inner.head('data/x/new.txt')).size, 1);
  });

  it('reports no capability the inner backend lacks', () => {
    // Only the Backend methods of a memory backend: none of its optional capabilities.
    const memory = new MemoryBackend();
    const plain: Backend = {
      kind: 'plain',
      head: (key, options) => memory.head(key, options),
      get: (key, options) => memory.get(key, options),
      list: (params) => memory.list(params),
      put: (key, body, metadata, options) => memory.put(key, body, metadata, options),
      delete: (key) => memory.delete(key),
    };
    const scoped = scopeBackend(plain, 'data/');
    assert.equal(hasMultipart(scoped), false);
    assert.equal(hasNativeCopy(scoped), false);
    assert.equal(hasConditionalWrites(scoped), false);
  });

  it('forwards every capability the inner backend has, with the prefix applied', async () => {
    const { backend, calls } = capableBackend();
    const scoped = scopeBackend(backend, 'data/x/');
    assert.ok(hasMultipart(scoped) && hasNativeCopy(scoped) && hasConditionalWrites(scoped));

    await scoped.multipart.create('big.bin', { metadata: {} });
    await scoped.multipart.uploadPart('big.bin', 'u1', 1, bytesBody('p'));
    await scoped.multipart.complete('big.bin', 'u1', [{ partNumber: 1, etag: '"p"' }]);
    await scoped.multipart.listParts('big.bin', 'u1', { maxParts: 10 });
    await scoped.multipart.abort('big.bin', 'u1');
    const uploads = await scoped.multipart.listUploads({ prefix: 'b', keyMarker: 'a', maxUploads: 10 });
    await scoped.copy('a.txt', 'b.txt');
    await scoped.conditionalPut('c.txt', bytesBody('c'), { metadata: {} }, { ifNoneMatch: '*' });

    assert.deepEqual(calls, [
      'create data/x/big.bin',
      'part data/x/big.bin u1 1',
      'complete data/x/big.bin u1 1',
      'parts data/x/big.bin u1',
      'abort data/x/big.bin u1',
      'uploads data/x/b data/x/a',
      'copy data/x/a.txt data/x/b.txt',
      'put data/x/c.txt *',
    ]);
    assert.deepEqual(uploads.uploads.map((u) => u.key), ['big.bin']);
    assert.deepEqual(uploads.commonPrefixes, ['sub/']);
    assert.equal(uploads.nextKeyMarker, 'big.bin');
    assert.equal(uploads.nextUploadIdMarker, 'u1');
  });

  it('returns the backend itself for an empty prefix, capabilities and all', () => {
    const { backend } = capableBackend();
    const scoped = scopeBackend(backend, '');
    assert.equal(scoped, backend);
    assert.ok(hasMultipart(scoped));
  });
});
