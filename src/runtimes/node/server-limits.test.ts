/**
 * The server limits in runtime units: configuration-file and in-code defaults agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerConfig } from '../../core/config.ts';
import { validateConfig } from '../../config/validate.ts';
import { nodeBackends } from './backend-registry.ts';
import { httpServerTimeouts, serverLimits } from './server-limits.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../config/server-limits.ts';

const base: ServerConfig = { listen: '127.0.0.1:0', addressing: 'path', region: 'us-east-1', accessLog: false, shutdownGraceSeconds: 0, ...SERVER_LIMIT_DEFAULTS };

test('the schema\'s defaults are the documented limits', () => {
  const fromFile = validateConfig({}, { source: 'test.yaml', baseDir: '/', env: {}, backends: nodeBackends }).server;
  assert.deepEqual(serverLimits(base), serverLimits(fromFile));
  assert.deepEqual(serverLimits(base), {
    maxConnections: 1024,
    headersTimeoutMs: 30_000,
    upload: { idleTimeoutMs: 30_000, minBytesPerSecond: 1024, graceMs: 30_000 },
  });
});

test('node:http gets the headers deadline, no overall request deadline, and checks often enough to keep the deadline', () => {
  assert.deepEqual(httpServerTimeouts(serverLimits({ ...base, headersTimeoutSeconds: 20 })), {
    keepAliveTimeout: 5_000,
    headersTimeout: 20_000,
    requestTimeout: 0,
    connectionsCheckingInterval: 5_000,
  });
  assert.equal(httpServerTimeouts(serverLimits({ ...base, headersTimeoutSeconds: 3600 })).connectionsCheckingInterval, 30_000);
});
