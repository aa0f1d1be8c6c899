/** Tests for `putWithConditions`: a backend without atomic conditional writes is never written to unconditionally. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBackend } from '../backends/memory/memory-backend.ts';
import type { Backend } from './backend.ts';
import { bytesBody, readAll } from './body.ts';
import { putWithConditions } from './conditional-put.ts';
import { S3Error } from './errors/s3-error.ts';

function plain(memory: MemoryBackend, puts: string[]): Backend {
  return {
    kind: 'plain',
    head: (key, options) => memory.head(key, options),
    get: (key, options) => memory.get(key, options),
    list: (params) => memory.list(params),
    put: (key, body, metadata, options) => {
      puts.push(key);
      return memory.put(key, body, metadata, options);
    },
    delete: (key) => memory.delete(key),
  };
}

describe('putWithConditions', () => {
  it('answers 501 NotImplemented on a backend without conditional writes, and writes nothing', async () => {
    const memory = new MemoryBackend();
    await memory.put('k', bytesBody('original'), { metadata: {} });
    const puts: string[] = [];
    await assert.rejects(putWithConditions(plain(memory, puts), 'k', bytesBody('new'), { metadata: {} }, { ifNoneMatch: '*' }), (error: unknown) => {
      assert.ok(error instanceof S3Error);
      assert.equal(error.code, 'NotImplemented');
      return true;
    });
    assert.deepEqual(puts, []);
    assert.equal(new TextDecoder().decode(await readAll((await memory.get('k')).body)), 'original');
  });

  it('is a plain put without conditions, and the conditional put with them', async () => {
    const memory = new MemoryBackend();
    const puts: string[] = [];
    await putWithConditions(plain(memory, puts), 'a', bytesBody('x'), { metadata: {} }, undefined);
    await putWithConditions(plain(memory, puts), 'b', bytesBody('x'), { metadata: {} }, {});
    assert.deepEqual(puts, ['a', 'b'], 'empty conditions are none');
    await putWithConditions(memory, 'c', bytesBody('x'), { metadata: {} }, { ifNoneMatch: '*' });
    await assert.rejects(putWithConditions(memory, 'c', bytesBody('y'), { metadata: {} }, { ifNoneMatch: '*' }), /precondition failed/);
  });
});
