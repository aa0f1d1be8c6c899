/**
 * `/.ready` reports connections whose circuit breaker is open, and says the
 * server is not ready only for a connection configured to count for it, so a
 * load balancer does not drain every instance when one store is down.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import { createGateway } from '../../src/core/gateway.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

/** A loopback port nothing listens on: connections are refused at once. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ready(gateway: ReturnType<typeof createGateway>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await gateway.handle({ method: 'GET', rawPath: '/.ready', rawQuery: '', headers: {}, client: {} });
  const text = await new Response(response.body as ReadableStream).text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

for (const affectsReadiness of [false, true]) {
  test(`an open circuit ${affectsReadiness ? 'makes /.ready answer 503 degraded' : 'is reported by /.ready, which stays 200'}`, async (t) => {
    const http = createNodeHttpClient();
    t.after(() => http.close());
    const store = new S3Backend({
      name: 'lake',
      endpoint: `http://127.0.0.1:${await refusedPort()}`,
      region: 'us-east-1',
      bucket: 'lake',
      forcePathStyle: true,
      prefix: '',
      readOnly: true,
      http,
      retry: { attempts: 1 },
      circuitBreaker: { failureThreshold: 1, coolDownMs: 60_000, affectsReadiness },
    });
    const gateway = createGateway({
      config: testConfig({ buckets: [bucket('lake', { connection: 'lake' })] }),
      backends: new Map([['lake', store]]),
      runtime: { log: { write: () => {} } },
    });
    assert.deepEqual(await ready(gateway), { status: 200, body: { status: 'ready' } });
    await assert.rejects(store.head('k'));
    const after = await ready(gateway);
    assert.deepEqual(after.body.connections, { lake: 'open' });
    assert.equal(after.status, affectsReadiness ? 503 : 200);
    assert.equal(after.body.status, affectsReadiness ? 'degraded' : 'ready');
  });
}
