/** Tests for timed backends: each promise-returning call reports its name, duration and outcome; capabilities and prefixes pass through. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../backends/memory/memory-backend.ts';
import { hasMultipart } from '../backend-capabilities.ts';
import { bytesBody } from '../body.ts';
import { scopeBackend } from '../scoped-backend.ts';
import { timeBackend } from './timed-backend.ts';

describe('timed backends', () => {
  test('calls are reported by name and outcome, results unchanged', async () => {
    const calls: string[] = [];
    const backend = timeBackend(new MemoryBackend({ readOnly: false }), (call, ms, ok) => {
      assert.ok(ms >= 0);
      calls.push(`${call}:${ok ? 'ok' : 'error'}`);
    });
    await backend.put('a', bytesBody('x'), { metadata: {} });
    assert.equal((await backend.head('a')).size, 1);
    await assert.rejects(backend.head('missing'));
    assert.deepEqual(calls, ['put:ok', 'head:ok', 'head:error']);
    assert.equal(backend.kind, 'memory');
  });

  test('capabilities stay visible; a scoped view with non-writable capability properties can be timed too', async () => {
    const calls: string[] = [];
    const timer = (call: string) => void calls.push(call);
    const scoped = scopeBackend(new MemoryBackend({ readOnly: false }), 'p/');
    const timed = timeBackend(scoped, timer);
    assert.ok(hasMultipart(timed));
    const upload = await timed.multipart.create('k', { metadata: {} });
    assert.ok(upload.uploadId);
    assert.deepEqual(calls, ['multipart.create']);
    // The same wrapper each time: a copy within one bucket still sees one backend.
    assert.equal(timed.put, timed.put);
  });
});
