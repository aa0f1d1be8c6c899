/**
 * What the proxy section needs besides servers: the Sluice config that puts
 * an S3 connection in front of the origin (a public bucket, and a restricted
 * one that the benchmark key's account may read), the workloads, and each
 * workload's request list as anonymous, header-signed and presigned GETs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { presignUrl, signRequest, SigningKeyCache } from '../../src/auth/sigv4/index.ts';
import { BENCH_ACCOUNT, BENCH_KEY, BENCH_REGION } from './bench-credentials.ts';
import { type DataSet, LARGE_SIZE, PRIVATE_BUCKET, PUBLIC_BUCKET, SMALL_SIZE } from './data.ts';
import { zipfTileRanges } from './tiles.ts';
import type { LoadRequest } from './wrk.ts';

/** The backend bucket name the S3 connection asks the origin for. */
export const ORIGIN_BUCKET = PUBLIC_BUCKET;

/**
 * `sluice serve` config: defaults everywhere (access log on), one anonymous,
 * read-only S3 connection to the origin (signed with `credentials` when
 * given); with `cache`, that connection has the hot-range cache (the lines
 * given, under `cache:`).
 */
export function writeProxyConfig(
  data: DataSet,
  originUrl: string,
  options: { name?: string; cache?: string[]; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
): string {
  const yaml = [
    'server:',
    '  listen: 127.0.0.1:0',
    '  region: us-east-1',
    // Only shortens the stop between workloads (and lets a profiled server write its profile promptly).
    '  shutdownGraceSeconds: 2',
    'connections:',
    '  origin:',
    '    type: s3',
    `    endpoint: ${JSON.stringify(originUrl)}`,
    `    region: ${BENCH_REGION}`,
    `    bucket: ${ORIGIN_BUCKET}`,
    '    forcePathStyle: true',
    '    readOnly: true',
    ...(options.credentials
      ? ['    credentials:', `      accessKeyId: ${JSON.stringify(options.credentials.accessKeyId)}`, `      secretAccessKey: ${JSON.stringify(options.credentials.secretAccessKey)}`]
      : []),
    ...(options.cache ? ['    cache:', ...options.cache.map((line) => `      ${line}`)] : []),
    'buckets:',
    `  ${PUBLIC_BUCKET}:`,
    '    connection: origin',
    '    public: true',
    `  ${PRIVATE_BUCKET}:`,
    '    connection: origin',
    '    public: false',
    'accounts:',
    `  ${BENCH_ACCOUNT}:`,
    '    grants:',
    `      - bucket: ${PRIVATE_BUCKET}`,
    '        actions: [read]',
    'accessKeys:',
    `  ${BENCH_KEY.accessKeyId}:`,
    `    secret: ${JSON.stringify(BENCH_KEY.secretAccessKey)}`,
    `    account: ${BENCH_ACCOUNT}`,
    '    label: benchmark',
    '',
  ].join('\n');
  const file = join(data.dir, `${options.name ?? 'sluice-proxy'}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

export interface Workload {
  name: 'small' | 'tile64' | 'tile16' | 'large';
  title: string;
  connections: number;
  /** Body bytes of every answer. */
  payload: number;
  status: 200 | 206;
  timeoutSeconds: number;
  /** Key and optional Range header of each request, in order. */
  requests: Array<{ key: string; range?: string }>;
}

export const WORKLOAD_NAMES = ['small', 'tile64', 'tile16', 'large'] as const;
const TILE_REQUESTS = 4096;

export function workload(name: Workload['name'], data: DataSet): Workload {
  const tiles = (tileSize: number): Workload => ({
    name,
    title: `${tileSize / 1024} KiB ranged GETs at Zipf-distributed offsets (s = 1, seeded) over one ${LARGE_SIZE / 1024 / 1024} MiB object, ` +
      `${TILE_REQUESTS} precomputed ranges cycled, 32 connections`,
    connections: 32,
    payload: tileSize,
    status: 206,
    timeoutSeconds: 10,
    requests: zipfTileRanges({ objectSize: LARGE_SIZE, tileSize, count: TILE_REQUESTS }).map((range) => ({ key: data.largeKey, range })),
  });
  switch (name) {
    case 'small':
      return {
        name,
        title: `${SMALL_SIZE / 1024} KiB GETs over ${data.smallKeys.length.toLocaleString('en-US')} objects, 32 connections`,
        connections: 32,
        payload: SMALL_SIZE,
        status: 200,
        timeoutSeconds: 10,
        requests: data.smallKeys.map((key) => ({ key })),
      };
    case 'tile64':
      return tiles(64 * 1024);
    case 'tile16':
      return tiles(16 * 1024);
    case 'large':
      return {
        name,
        title: `GET of one ${LARGE_SIZE / 1024 / 1024} MiB object, back to back, 1 connection`,
        connections: 1,
        payload: LARGE_SIZE,
        status: 200,
        timeoutSeconds: 60,
        requests: [{ key: data.largeKey }],
      };
  }
}

const rangeHeaders = (range: string | undefined): Record<string, string> => (range ? { range } : {});

export function anonymousRequests(w: Workload): LoadRequest[] {
  return w.requests.map(({ key, range }) => ({ path: `/${PUBLIC_BUCKET}/${key}`, headers: rangeHeaders(range) }));
}

/**
 * Header-signed GETs of the restricted bucket, the Range header signed as
 * SDKs sign it. Valid for S3's 15 minutes of clock skew; identical requests
 * share one signature.
 */
export async function headerSignedRequests(w: Workload, serverUrl: string): Promise<LoadRequest[]> {
  const now = new Date();
  const cache = new SigningKeyCache();
  const signed = new Map<string, LoadRequest>();
  const out: LoadRequest[] = [];
  for (const { key, range } of w.requests) {
    const path = `/${PRIVATE_BUCKET}/${key}`;
    const id = `${path} ${range ?? ''}`;
    let request = signed.get(id);
    if (!request) {
      const headers = await signRequest({ method: 'GET', url: `${serverUrl}${path}`, headers: rangeHeaders(range) }, BENCH_KEY, {
        region: BENCH_REGION, service: 's3', now, signingKeyCache: cache,
      });
      delete headers.host; // wrk sends its own, identical Host header
      request = { path, headers };
      signed.set(id, request);
    }
    out.push(request);
  }
  return out;
}

/** Presigned URLs (valid an hour) of the restricted bucket; the Range header travels unsigned, as with most clients. */
export async function presignedRequests(w: Workload, serverUrl: string): Promise<LoadRequest[]> {
  const now = new Date();
  const cache = new SigningKeyCache();
  const urls = new Map<string, string>();
  const out: LoadRequest[] = [];
  for (const { key, range } of w.requests) {
    let url = urls.get(key);
    if (!url) {
      url = await presignUrl({ method: 'GET', url: `${serverUrl}/${PRIVATE_BUCKET}/${key}` }, BENCH_KEY, {
        region: BENCH_REGION, service: 's3', expiresIn: 3600, now, signingKeyCache: cache,
      });
      urls.set(key, url);
    }
    out.push({ path: url.slice(serverUrl.length), headers: rangeHeaders(range) });
  }
  return out;
}
