/** Tests for building Node backends from validated connections, S3 ones over one shared HTTP client. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WriteNotAllowedError } from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import type { ConnectionConfig, S3Connection, SluiceConfig } from '../../core/config.ts';
import type { HttpClient } from '../../core/http.ts';
import { S3Backend } from '../../backends/s3/s3-backend.ts';
import { createBackend, createBackends } from './backends.ts';
import { createNodeHttpClient } from './http-client.ts';

type TestContext = { after(fn: () => unknown): void };

function configWith(connections: Record<string, ConnectionConfig>): SluiceConfig {
  return {
    server: { listen: '127.0.0.1:0', addressing: 'path', region: 'us-east-1', accessLog: false, shutdownGraceSeconds: 0 },
    connections,
    buckets: [],
    accounts: [],
    accessKeys: [],
    policy: { cacheTtlSeconds: 30 },
  };
}

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

function s3(name: string, endpoint: string, overrides: Partial<S3Connection> = {}): S3Connection {
  return { type: 's3', name, endpoint, region: 'us-west-2', bucket: 'landsat-pds', forcePathStyle: true, prefix: '', readOnly: false, ...overrides };
}

/** A factory for real Node clients that counts its calls and closes what it made. */
function countingFactory(t: TestContext): { create: () => HttpClient; calls: () => number } {
  let calls = 0;
  return {
    create: () => {
      calls += 1;
      const client = createNodeHttpClient();
      t.after(() => client.close());
      return client;
    },
    calls: () => calls,
  };
}

describe('createBackends', () => {
  it('builds one backend per connection, by type', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-backends-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const factory = countingFactory(t);
    const connections: Record<string, ConnectionConfig> = {
      disk: { type: 'fs', name: 'disk', root, readOnly: false },
      scratch: { type: 'memory', name: 'scratch', readOnly: false },
      landsat: s3('landsat', 'http://127.0.0.1:9'),
    };
    const backends = createBackends(configWith(connections), { createHttpClient: factory.create });
    assert.deepEqual([...backends].map(([name, backend]) => `${name}:${backend.kind}`), ['disk:fs', 'scratch:memory', 'landsat:s3']);
  });

  it('makes no HTTP client when no connection is S3', () => {
    let calls = 0;
    const unused: HttpClient = { request: () => Promise.reject(new Error('unused')) };
    const connections: Record<string, ConnectionConfig> = { scratch: { type: 'memory', name: 'scratch', readOnly: false } };
    const backends = createBackends(configWith(connections), {
      createHttpClient: () => {
        calls += 1;
        return unused;
      },
    });
    assert.equal(backends.size, 1);
    assert.equal(calls, 0);
  });

  it('shares one HTTP client between S3 connections, each with its own endpoint, bucket, prefix and credentials', async (t) => {
    const { endpoint, seen } = await fakeS3(t);
    const factory = countingFactory(t);
    const connections: Record<string, ConnectionConfig> = {
      open: s3('open', endpoint, { prefix: 'scenes/' }),
      signed: s3('signed', endpoint, {
        bucket: 'research-data',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' },
      }),
    };
    const backends = createBackends(configWith(connections), { createHttpClient: factory.create });
    assert.equal(factory.calls(), 1);

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
    const factory = countingFactory(t);
    const connections: Record<string, ConnectionConfig> = {
      locked: s3('locked', endpoint, { readOnly: true, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } }),
      anonymous: s3('anonymous', endpoint),
    };
    const backends = createBackends(configWith(connections), { createHttpClient: factory.create });
    for (const name of ['locked', 'anonymous']) {
      await assert.rejects(backends.get(name)!.put('x.txt', bytesBody('hello'), { metadata: {} }), WriteNotAllowedError, name);
    }
    assert.deepEqual(seen, []);
  });
});

describe('createBackend', () => {
  it('builds a single S3 backend with a client from the given factory', async (t) => {
    const { endpoint, seen } = await fakeS3(t);
    const factory = countingFactory(t);
    const backend = createBackend(s3('one', endpoint, { prefix: 'p/' }), { createHttpClient: factory.create });
    assert.equal(backend.kind, 's3');
    await backend.head('k');
    assert.equal(factory.calls(), 1);
    assert.deepEqual(seen.map((r) => r.url), ['/landsat-pds/p/k']);
  });

  it('gives S3 connections their circuit breaker settings and log sink', async (t) => {
    const factory = countingFactory(t);
    const events: Array<Record<string, unknown>> = [];
    const off = createBackend(s3('off', 'http://127.0.0.1:1', { circuitBreaker: { enabled: false, affectsReadiness: false } }), { createHttpClient: factory.create });
    assert.ok(off instanceof S3Backend);
    assert.equal(off.circuitState(), undefined);
    const gated = createBackend(
      s3('gated', 'http://127.0.0.1:1', { retries: 0, circuitBreaker: { enabled: true, failureThreshold: 1, affectsReadiness: true } }),
      { createHttpClient: factory.create, log: { write: (event) => events.push(event) } },
    );
    assert.ok(gated instanceof S3Backend);
    assert.deepEqual(gated.circuitState(), { state: 'closed', consecutiveFailures: 0, affectsReadiness: true });
    await assert.rejects(gated.head('k'));
    assert.equal(gated.circuitState()?.state, 'open', 'one refused connection opens it');
    assert.deepEqual(events.map((e) => [e['connection'], e['to']]), [['gated', 'open']]);
  });
});
