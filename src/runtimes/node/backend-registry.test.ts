/** Tests for the Node backend registry: one backend per validated connection, S3 ones over one shared HTTP client. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { backendServices } from '../../app/services.ts';
import { createBackends } from '../../backends/registry.ts';
import type { S3ConnectionConfig } from '../../backends/s3/plugin.ts';
import { WriteNotAllowedError } from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import type { ConnectionConfig } from '../../core/config.ts';
import { DEFAULT_MAX_BYTES, MemoryBackend } from '../../backends/memory/memory-backend.ts';
import { S3Backend } from '../../backends/s3/s3-backend.ts';
import { nodeBackends } from './backend-registry.ts';
import { type NodeHttpClient, createNodeHttpClient } from './http-client.ts';
import { createNodeServices } from './services.ts';

type TestContext = { after(fn: () => unknown): void };

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback stand-in for S3 that answers every HEAD with a small object and records what it was asked. */
async function fakeS3(t: TestContext): Promise<{ endpoint: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, {
      'content-length': '5',
      'content-type': 'text/plain',
      etag: '"5d41402abc4b2a76b9719d911017c592"',
      'last-modified': 'Wed, 01 May 2024 12:00:00 GMT',
    });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function s3(name: string, endpoint: string, overrides: Partial<S3ConnectionConfig> = {}): S3ConnectionConfig {
  return { type: 's3', name, endpoint, region: 'us-west-2', bucket: 'landsat-pds', forcePathStyle: true, prefix: '', readOnly: false, ...overrides };
}

/** Node services whose HTTP clients are counted and closed after the test. */
function countingServices(t: TestContext) {
  let calls = 0;
  const services = createNodeServices({ write: () => {} }, {
    createHttpClient: (): NodeHttpClient => {
      calls += 1;
      return createNodeHttpClient();
    },
  });
  t.after(() => services.close());
  return { services: backendServices(services), calls: () => calls };
}

describe('the Node backend registry', () => {
  it('offers the portable kinds and fs', () => {
    assert.deepEqual(nodeBackends.plugins.map((p) => p.type), ['memory', 's3', 'azure', 'gcs', 'fs']);
  });

  it('builds one backend per connection, by type', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-backends-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const { services } = countingServices(t);
    const connections: Record<string, ConnectionConfig> = {
      disk: { type: 'fs', name: 'disk', root, readOnly: false },
      scratch: { type: 'memory', name: 'scratch', readOnly: false },
      landsat: s3('landsat', 'http://127.0.0.1:9'),
    };
    const backends = createBackends(connections, nodeBackends, services);
    assert.deepEqual([...backends].map(([name, backend]) => `${name}:${backend.kind}`), ['disk:fs', 'scratch:memory', 'landsat:s3']);
  });

  it('gives a memory connection its size cap, or the default', (t) => {
    const { services } = countingServices(t);
    const backends = createBackends({
      capped: { type: 'memory', name: 'capped', readOnly: false, maxBytes: 4096 },
      plain: { type: 'memory', name: 'plain', readOnly: false },
    }, nodeBackends, services);
    const capped = backends.get('capped');
    assert.ok(capped instanceof MemoryBackend);
    assert.equal(capped.maxBytes, 4096);
    assert.equal((backends.get('plain') as MemoryBackend).maxBytes, DEFAULT_MAX_BYTES);
  });

  it('makes no HTTP client when no connection is S3', (t) => {
    const { services, calls } = countingServices(t);
    const backends = createBackends({ scratch: { type: 'memory', name: 'scratch', readOnly: false } }, nodeBackends, services);
    assert.equal(backends.size, 1);
    assert.equal(calls(), 0);
  });

  it('shares one HTTP client between S3 connections, each with its own endpoint, bucket, prefix and credentials', async (t) => {
    const { endpoint, seen } = await fakeS3(t);
    const { services, calls } = countingServices(t);
    const connections: Record<string, ConnectionConfig> = {
      open: s3('open', endpoint, { prefix: 'scenes/' }),
      signed: s3('signed', endpoint, {
        bucket: 'research-data',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' },
      }),
    };
    const backends = createBackends(connections, nodeBackends, services);
    assert.equal(calls(), 1);

    assert.equal((await backends.get('open')!.head('a.txt')).size, 5);
    assert.equal((await backends.get('signed')!.head('b.txt')).size, 5);
    assert.deepEqual(seen.map((r) => `${r.method} ${r.url}`), ['HEAD /landsat-pds/scenes/a.txt', 'HEAD /research-data/b.txt']);
    // No credentials: an unsigned request. Credentials: a SigV4 signature with the session token.
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.match(seen[1]!.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-west-2\/s3\/aws4_request, /);
    assert.equal(seen[1]!.headers['x-amz-security-token'], 'session-token');
  });

  it('refuses writes on read-only S3 connections and on ones without credentials, before sending anything', async (t) => {
    const { endpoint, seen } = await fakeS3(t);
    const { services } = countingServices(t);
    const connections: Record<string, ConnectionConfig> = {
      locked: s3('locked', endpoint, { readOnly: true, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } }),
      anonymous: s3('anonymous', endpoint),
    };
    const backends = createBackends(connections, nodeBackends, services);
    for (const name of ['locked', 'anonymous']) {
      await assert.rejects(backends.get(name)!.put('x.txt', bytesBody('hello'), { metadata: {} }), WriteNotAllowedError, name);
    }
    assert.deepEqual(seen, []);
  });
});

describe('S3 connections from the registry', () => {
  it('get their circuit breaker settings and the log sink', async (t) => {
    const events: Array<Record<string, unknown>> = [];
    const services = createNodeServices({ write: (event) => events.push(event) });
    t.after(() => services.close());
    const backends = createBackends({
      off: s3('off', 'http://127.0.0.1:1', { circuitBreaker: { enabled: false, affectsReadiness: false } }),
      gated: s3('gated', 'http://127.0.0.1:1', { retries: 0, circuitBreaker: { enabled: true, failureThreshold: 1, affectsReadiness: true } }),
    }, nodeBackends, backendServices(services));
    const off = backends.get('off');
    assert.ok(off instanceof S3Backend);
    assert.equal(off.circuitState(), undefined);
    const gated = backends.get('gated');
    assert.ok(gated instanceof S3Backend);
    assert.deepEqual(gated.circuitState(), { state: 'closed', consecutiveFailures: 0, affectsReadiness: true });
    await assert.rejects(gated.head('k'));
    assert.equal(gated.circuitState()?.state, 'open', 'one refused connection opens it');
    assert.deepEqual(events.filter((e) => e['to'] !== undefined).map((e) => [e['connection'], e['to']]), [['gated', 'open']]);
  });
});
