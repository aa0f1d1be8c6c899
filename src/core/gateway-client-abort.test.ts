/**
 * A client that leaves mid-upload is logged as a client disconnect, with its
 * access-log line, never as an internal error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../backends/memory/memory-backend.ts';
import { bucket, testConfig } from '../../test/support/gateway-config.ts';
import type { AccessPolicy } from './access-policy.ts';
import { createGateway } from './gateway.ts';
import { ANONYMOUS } from './identity.ts';

const openPolicy: AccessPolicy = { allows: async () => true, canSee: async () => true };

test('an upload whose client disconnects is logged as ClientDisconnected, not as an internal error', async () => {
  const events: Record<string, unknown>[] = [];
  const backend = new MemoryBackend({ readOnly: false });
  const gateway = createGateway({
    config: testConfig({ buckets: [bucket('b')], server: { accessLog: true } }),
    backends: new Map([['main', backend]]),
    policy: openPolicy,
    authenticate: async (req) => ({ identity: ANONYMOUS, body: req.body }),
    runtime: { log: { write: (event) => events.push(event) } },
  });
  const client = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(1024));
    },
    pull(controller) {
      client.abort();
      controller.error(new DOMException('The operation was aborted', 'AbortError'));
    },
  });
  const response = await gateway.handle({
    method: 'PUT',
    rawPath: '/b/upload.bin',
    rawQuery: '',
    headers: { 'content-length': '4096' },
    body,
    client: { ip: '127.0.0.1' },
    signal: client.signal,
  });
  response.done?.({ bytes: 0, aborted: true });
  assert.equal(events.filter((event) => event.level === 'error').length, 0, JSON.stringify(events));
  const line = events.find((event) => event.msg === 'request');
  assert.ok(line);
  assert.equal(line.error, 'ClientDisconnected');
  assert.equal(line.aborted, true);
  await assert.rejects(backend.head('upload.bin'), { name: 'ObjectNotFoundError' });
});
