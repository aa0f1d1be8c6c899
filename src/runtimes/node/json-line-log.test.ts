import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJsonLineLog } from './json-line-log.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../config/server-limits.ts';

function recorder() {
  const writes: string[] = [];
  return { writes, stream: { write: (chunk: string) => writes.push(chunk) } };
}

test('lines are held back until flushed, then written in order as one batch', () => {
  const { writes, stream } = recorder();
  const log = createJsonLineLog(stream);
  log.write({ n: 1 });
  log.write({ n: 2 });
  assert.deepEqual(writes, []);
  log.flush();
  assert.deepEqual(writes, ['{"n":1}\n{"n":2}\n']);
  log.flush();
  assert.equal(writes.length, 1, 'an empty flush writes nothing');
});

test('a batch goes out by itself after a short delay', async () => {
  const { writes, stream } = recorder();
  const log = createJsonLineLog(stream);
  log.write({ n: 1 });
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(writes, ['{"n":1}\n']);
});

test('64 KiB of pending lines are written at once, without waiting', () => {
  const { writes, stream } = recorder();
  const log = createJsonLineLog(stream);
  const big = 'x'.repeat(40 * 1024);
  log.write({ big });
  assert.equal(writes.length, 0);
  log.write({ big });
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.split('\n').length, 3);
});

test('two sinks are independent and creating one registers no process hooks', () => {
  const before = process.listenerCount('exit');
  const a = recorder();
  const b = recorder();
  const logA = createJsonLineLog(a.stream);
  const logB = createJsonLineLog(b.stream);
  logA.write({ sink: 'a' });
  logB.write({ sink: 'b' });
  logA.flush();
  assert.deepEqual(a.writes, ['{"sink":"a"}\n']);
  assert.deepEqual(b.writes, []);
  logB.flush();
  assert.equal(process.listenerCount('exit'), before);
});

test('loading the server module adds no process exit hook', async () => {
  const before = process.listenerCount('exit');
  await import('./server.ts');
  assert.equal(process.listenerCount('exit'), before);
});

test('the server flushes its log when it closes, and when it fails to start', async () => {
  const { startServer } = await import('./server.ts');
  const config = {
    server: { listen: '127.0.0.1:0', addressing: 'path' as const, region: 'us-east-1', accessLog: true, shutdownGraceSeconds: 0, ...SERVER_LIMIT_DEFAULTS },
    connections: {},
    buckets: [],
    accounts: [],
    accessKeys: [],
    policy: { cacheTtlSeconds: 30 },
  };
  let flushes = 0;
  const log = { write: () => {}, flush: () => void flushes++ };
  const first = await startServer(config, { log, backends: new Map() });
  await assert.rejects(startServer(config, { log, listen: `127.0.0.1:${first.port}`, backends: new Map() }), /EADDRINUSE/);
  assert.equal(flushes, 1, 'flushed by the server that failed to start');
  await first.close();
  assert.equal(flushes, 2, 'flushed by the server that closed');
});
