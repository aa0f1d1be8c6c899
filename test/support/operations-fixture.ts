/**
 * Test support for the operational features (metrics, limits, quotas,
 * metering): a Node server over one memory backend with a `data` bucket,
 * two accounts and a key each, and helpers to scrape and read series.
 */
import assert from 'node:assert/strict';
import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig, SluiceConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from './gateway-config.ts';
import { signedClient } from './s3-client.ts';

export const RESEARCH_KEY: AccessKeyConfig = { accessKeyId: 'SLAKRESEARCHAAAAAAAA', secretAccessKey: 'secret-of-research-0123456789abcdef', account: 'research', label: 'r', status: 'active' };
export const VISITOR_KEY: AccessKeyConfig = { accessKeyId: 'SLAKVISITORAAAAAAAAA', secretAccessKey: 'secret-of-visitor-0123456789abcdefg', account: 'visitors', label: 'v', status: 'active' };

/** The configuration every operations test starts from: `data` is public, both accounts may read and write it. */
export function operationsConfig(extra: Partial<SluiceConfig> = {}): SluiceConfig {
  const config = testConfig({ buckets: [bucket('data', { public: true })] });
  config.accounts = [
    { name: 'research', grants: [{ bucket: 'data', actions: ['read', 'write'] }] },
    { name: 'visitors', grants: [{ bucket: 'data', actions: ['read', 'write'] }] },
  ];
  config.accessKeys = [RESEARCH_KEY, VISITOR_KEY];
  return { ...config, ...extra, server: { ...config.server, ...extra.server } };
}

export async function memoryWith(objects: Record<string, string | Uint8Array>): Promise<MemoryBackend> {
  const backend = new MemoryBackend({ readOnly: false });
  for (const [key, content] of Object.entries(objects)) await backend.put(key, bytesBody(content), { metadata: {} });
  return backend;
}

export interface Running {
  server: RunningServer;
  client(key: AccessKeyConfig): S3Client;
  close(): Promise<void>;
}

export async function runGateway(config: SluiceConfig, backend: Backend): Promise<Running> {
  const server = await startServer(config, { backends: new Map([['main', backend]]), log: { write: () => {} } });
  const clients: S3Client[] = [];
  return {
    server,
    client(key) {
      const c = signedClient(server.url, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await server.close();
    },
  };
}

export async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/.metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one series in a scrape (labels in any order), or undefined. */
export function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** The S3 error a command failed with. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, String(error));
    return { code: error.name, status: error.$metadata.httpStatusCode ?? 0, message: error.message };
  }
  assert.fail('expected the request to fail');
}
