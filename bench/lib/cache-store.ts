/**
 * The store behind the cache section: s3rver (a local S3 implementation,
 * the default) holding the 256 MiB object, uploaded once per run, or the
 * proxy section's static origin (nginx, or the Node one) serving the same
 * file. With s3rver, Sluice's S3 connection and the direct row's requests
 * are signed with the store's keys, as a client of an S3 store signs them.
 */
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { signRequest, SigningKeyCache } from '../../src/auth/sigv4/index.ts';
import { type BenchContext, startBenchServer } from './context.ts';
import { chooseOrigin, originRoot, startOrigin } from './origin.ts';
import type { ServerProcess } from './processes.ts';
import { ORIGIN_BUCKET, type Workload } from './proxy-setup.ts';
import type { LoadRequest } from './wrk.ts';

const require = createRequire(import.meta.url);

export type CacheStoreKind = 's3rver' | 'nginx';

/** s3rver's fixed keys (it accepts no others); region as Sluice's connection signs. */
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const S3RVER_REGION = 'us-east-1';

export interface CacheStore {
  kind: CacheStoreKind;
  /** For the section's heading. */
  description: string;
  /** Keys Sluice's S3 connection signs with; undefined: anonymous reads. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Make the large object readable from the store (s3rver: upload it). */
  prepare(url: string): Promise<void>;
  start(name: string, cpu: number | undefined): Promise<ServerProcess>;
  /** The workload's GETs as a client sends them straight to the store at `url`. */
  directRequests(w: Workload, url: string): Promise<LoadRequest[]>;
}

function s3rverVersion(): string {
  return (require('s3rver/package.json') as { version: string }).version;
}

const rangeHeaders = (range: string | undefined): Record<string, string> => (range ? { range } : {});

/** One streamed, signed PUT of `file` (UNSIGNED-PAYLOAD: the body is not hashed in advance, nor held in memory). */
async function putFile(url: string, file: string): Promise<void> {
  const size = statSync(file).size;
  const headers = await signRequest(
    { method: 'PUT', url, headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' } },
    S3RVER_KEY,
    { region: S3RVER_REGION, service: 's3' },
  );
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers, agent: false, timeout: 600_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => {
        body = (body + text).slice(0, 2000);
      });
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${url} answered ${res.statusCode}: ${body}`))));
    });
    req.once('timeout', () => req.destroy(new Error(`PUT ${url} timed out`)));
    req.once('error', reject);
    createReadStream(file).once('error', (error) => req.destroy(error)).pipe(req);
  });
}

export function chooseCacheStore(ctx: BenchContext, wanted: string): CacheStore {
  if (wanted === 'nginx') {
    const origin = chooseOrigin(ctx.proxy.origin);
    const root = originRoot(ctx, ORIGIN_BUCKET);
    return {
      kind: 'nginx',
      description: `${origin.description}, a static file server (not an object store), read anonymously`,
      prepare: async () => {},
      start: (name, cpu) => startOrigin(ctx, origin.kind, root, name, cpu),
      directRequests: async (w) => w.requests.map(({ key, range }) => ({ path: `/${ORIGIN_BUCKET}/${key}`, headers: rangeHeaders(range) })),
    };
  }
  if (wanted !== 's3rver') throw new TypeError(`--cache-store must be s3rver or nginx, not "${wanted}"`);
  const dir = join(ctx.data.dir, 's3rver-store');
  mkdirSync(dir, { recursive: true });
  return {
    kind: 's3rver',
    description: `s3rver ${s3rverVersion()} (S3 on local disk; requests signed with its keys)`,
    credentials: S3RVER_KEY,
    prepare: (url) => putFile(`${url}/${ORIGIN_BUCKET}/${ctx.data.largeKey}`, join(ctx.data.root, ctx.data.largeKey)),
    start: (name, cpu) => startBenchServer({ ...ctx, serverCpu: cpu }, name, 's3rver-store.ts', ['--dir', dir, '--bucket', ORIGIN_BUCKET]),
    directRequests: async (w, url) => {
      // Header-signed as SDKs sign a ranged GET; identical requests share one signature (valid 15 minutes).
      const now = new Date();
      const cache = new SigningKeyCache();
      const signed = new Map<string, LoadRequest>();
      const out: LoadRequest[] = [];
      for (const { key, range } of w.requests) {
        const path = `/${ORIGIN_BUCKET}/${key}`;
        const id = `${path} ${range ?? ''}`;
        let entry = signed.get(id);
        if (!entry) {
          const headers = await signRequest({ method: 'GET', url: `${url}${path}`, headers: rangeHeaders(range) }, S3RVER_KEY, {
            region: S3RVER_REGION, service: 's3', now, signingKeyCache: cache,
          });
          delete headers.host; // wrk sends its own, identical Host header
          entry = { path, headers };
          signed.set(id, entry);
        }
        out.push(entry);
      }
      return out;
    },
  };
}
