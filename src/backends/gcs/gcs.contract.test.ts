/**
 * The backend contract and multipart contract suites against the GCS JSON
 * API fixture (test/peers/gcs-fixture.ts: a protocol-level stand-in written
 * from Google's API reference, since no local GCS implementation runs
 * here), with and without a base prefix. Every test gets a fresh bucket;
 * with a base prefix, objects are planted next to it so that any leak
 * across the prefix shows up. The fixture checks a bearer token on every
 * request. Small chunks make multi-chunk resumable uploads out of ordinary
 * test bodies, and rewrites take several calls.
 */
import { after } from 'node:test';
import { runBackendContract } from '../../../test/contract/backend-contract.ts';
import { runMultipartContract } from '../../../test/contract/multipart-contract.ts';
import { startGcsFixture, type GcsFixture } from '../../../test/peers/gcs-fixture.ts';
import { bytesBody } from '../../core/body.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { staticGcsToken } from './auth.ts';
import { GcsBackend } from './gcs-backend.ts';

const BASE_PREFIX = 'base/dir/';
/** Names just outside the base prefix: a backend that ignored it would list them. */
const NEIGHBOURS = ['base/dir', 'base/dir0', 'base/di', 'outside'];
const TOKEN = 'fixture-access-token';

let started: Promise<GcsFixture> | undefined;
const fixture = () => (started ??= startGcsFixture({ tokens: new Set([TOKEN]), rewriteBytesPerCall: 64 * 1024 }));
after(async () => (await started?.catch(() => undefined))?.stop());

let buckets = 0;

/** What GCS itself cannot name, and so neither can the backend. */
export const gcsSkips = (prefix: string): Record<string, string> => {
  const reason = prefix
    ? 'the corpus holds keys of exactly 1024 UTF-8 bytes; GCS object names are at most 1024 bytes, so with a base prefix they cannot be stored'
    : 'GCS refuses the object names "." and "..", which the corpus holds';
  return {
    'each hostile key is stored, read back byte-faithfully and listed exactly once': reason,
    'hostile keys that do not nest under one another coexist and list in byte order': reason,
    'the whole hostile corpus coexists and lists in byte order': reason,
  };
};

export async function freshGcsBackend(prefix: string): Promise<{ backend: GcsBackend; cleanup(): Promise<void> }> {
  const peer = await fixture();
  const bucket = `contract-${++buckets}`;
  peer.createBucket(bucket);
  const http = createNodeHttpClient({ connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
  const options = {
    bucket,
    endpoint: peer.endpoint,
    tokens: staticGcsToken(TOKEN),
    http,
    retry: { attempts: 2, baseDelayMs: 10 },
    chunkSize: 256 * 1024,
  };
  if (prefix) {
    const whole = new GcsBackend({ ...options, prefix: '' });
    for (const key of NEIGHBOURS) await whole.put(key, bytesBody(key), { metadata: {} });
  }
  return { backend: new GcsBackend({ ...options, prefix }), cleanup: async () => http.close() };
}

for (const [label, prefix] of [['gcs over the JSON API fixture', ''], ['gcs over the JSON API fixture with a base prefix', BASE_PREFIX]] as const) {
  runBackendContract(label, () => freshGcsBackend(prefix), {
    skip: gcsSkips(prefix),
    readOnly: (writable) => (writable as GcsBackend).readOnlyView(),
  });
  runMultipartContract(label, () => freshGcsBackend(prefix));
}
