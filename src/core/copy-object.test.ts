/** Tests for `copyObject`: bytes and metadata streamed between backends, or the native copy when one backend has it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBackend } from '../backends/memory/memory-backend.ts';
import { ObjectNotFoundError, PreconditionFailedError } from './backend-errors.ts';
import type { NativeCopy } from './backend-capabilities.ts';
import { bytesBody, readAll } from './body.ts';
import { copyObject } from './copy-object.ts';

const text = async (backend: MemoryBackend, key: string) => new TextDecoder().decode(await readAll((await backend.get(key)).body));
const stamped = (iso: string) => new MemoryBackend({ now: () => new Date(iso) });

describe('copyObject', () => {
  it('streams the bytes and every header and metadata entry from one backend to another', async () => {
    const source = stamped('2024-01-01T00:00:00Z');
    const destination = stamped('2024-06-01T12:00:00Z');
    await source.put('in/report.csv', bytesBody('a,b\n1,2\n'), {
      contentType: 'text/csv',
      contentEncoding: 'identity',
      contentDisposition: 'attachment',
      contentLanguage: 'en',
      cacheControl: 'max-age=60',
      expires: 'Wed, 01 May 2030 12:00:00 GMT',
      metadata: { owner: 'climate' },
    });

    const result = await copyObject(source, 'in/report.csv', destination, 'out/copy.csv');

    const copied = await destination.head('out/copy.csv');
    assert.equal(await text(destination, 'out/copy.csv'), 'a,b\n1,2\n');
    assert.equal(result.etag, (await source.head('in/report.csv')).etag, 'same bytes, same MD5 ETag');
    assert.equal(result.etag, copied.etag);
    assert.equal(result.lastModified.toISOString(), '2024-06-01T12:00:00.000Z', 'the time of the new write');
    assert.deepEqual(
      { ...copied, key: undefined, lastModified: undefined },
      { ...(await source.head('in/report.csv')), key: undefined, lastModified: undefined },
    );
  });

  it('replaces the metadata when new metadata is given', async () => {
    const backend = new MemoryBackend();
    await backend.put('a', bytesBody('x'), { contentType: 'text/plain', metadata: { old: '1' } });
    await copyObject(backend, 'a', backend, 'b', { metadata: { contentType: 'application/json', metadata: { fresh: '2' } } });
    const info = await backend.head('b');
    assert.equal(info.contentType, 'application/json');
    assert.deepEqual(info.metadata, { fresh: '2' });
    assert.deepEqual((await backend.head('a')).metadata, { old: '1' }, 'the source is untouched');
  });

  it('checks the source conditions before writing anything', async () => {
    const backend = new MemoryBackend();
    await backend.put('a', bytesBody('x'), { metadata: {} });
    await assert.rejects(copyObject(backend, 'a', backend, 'b', { conditions: { ifMatch: '"not-the-etag"' } }), PreconditionFailedError);
    await assert.rejects(backend.head('b'), ObjectNotFoundError);
  });

  it('reports a missing source as ObjectNotFoundError', async () => {
    await assert.rejects(copyObject(new MemoryBackend(), 'missing', new MemoryBackend(), 'b'), ObjectNotFoundError);
  });

  it('uses the native copy when source and destination are one backend that has it', async () => {
    const calls: string[] = [];
    const backend = Object.assign(new MemoryBackend(), {
      copy: (async (from, to) => {
        calls.push(`${from}->${to}`);
        return { etag: '"native"', lastModified: new Date(0) };
      }) satisfies NativeCopy['copy'],
    });
    assert.deepEqual(await copyObject(backend, 'a', backend, 'b'), { etag: '"native"', lastModified: new Date(0) });
    assert.deepEqual(calls, ['a->b']);

    const other = new MemoryBackend();
    await other.put('a', bytesBody('x'), { metadata: {} });
    await copyObject(other, 'a', backend, 'b');
    assert.deepEqual(calls, ['a->b'], 'another source streams instead');
    assert.equal(await text(backend, 'b'), 'x');
  });
});
