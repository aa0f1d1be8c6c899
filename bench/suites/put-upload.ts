/**
 * Uploads: 256 MiB in one signed PUT, and 256 MiB as a multipart upload of
 * 8 MiB parts sent 4 at a time, through `sluice serve` onto a writable `fs`
 * connection, against a minimal Node receiver writing the same bytes to disk
 * (`servers/put-receiver.ts`) in the same run. Requests are signed as the
 * AWS SDKs sign large uploads, with `UNSIGNED-PAYLOAD` (the baseline gets the
 * same headers and ignores them). The bytes are the data set's 256 MiB file.
 * Sluice's resident set is sampled every 50 ms during each upload; the
 * figure is peak minus its idle RSS just before.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { BENCH_KEY, BENCH_REGION } from '../lib/bench-credentials.ts';
import { type BenchContext, startSluice } from '../lib/context.ts';
import { LARGE_SIZE } from '../lib/data.ts';
import { readMemoryStatus, spawnServer, type ServerProcess } from '../lib/processes.ts';
import { fixed, mib, table } from '../lib/report.ts';
import type { SectionResult } from './section.ts';

const PART_SIZE = 8 * 1024 * 1024;
const PARALLEL = 4;
const BUCKET = 'uploads';
const SAMPLE_MS = 50;
const RATIO_TARGET = 0.8;
const RSS_TARGET_MIB = 15;

function uploadConfig(root: string): string {
  return [
    'server:',
    '  listen: 127.0.0.1:0',
    '  accessLog: false',
    'connections:',
    '  disk:',
    '    type: fs',
    `    root: ${JSON.stringify(root)}`,
    'buckets:',
    `  ${BUCKET}:`,
    '    connection: disk',
    '    public: false',
    'accounts:',
    '  bench-uploader:',
    '    grants:',
    `      - bucket: ${BUCKET}`,
    '        actions: [read, write]',
    'accessKeys:',
    `  ${BENCH_KEY.accessKeyId}:`,
    `    secret: ${JSON.stringify(BENCH_KEY.secretAccessKey)}`,
    '    account: bench-uploader',
    '    label: bench uploads',
    '',
  ].join('\n');
}

interface Sent {
  status: number;
  body: string;
}

/** One signed request; the body streams from `file` (bytes start…end inclusive) when given. */
async function send(base: string, method: string, path: string, body?: { file: string; start: number; end: number }, text?: string): Promise<Sent> {
  const length = body ? body.end - body.start + 1 : text ? Buffer.byteLength(text) : 0;
  const headers = await signRequest({ method, url: `${base}${path}`, headers: { 'content-length': String(length) } }, BENCH_KEY, { region: BENCH_REGION, service: 's3' });
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (answer += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: answer }));
    });
    req.on('error', reject);
    if (body) createReadStream(body.file, { start: body.start, end: body.end, highWaterMark: 1024 * 1024 }).pipe(req);
    else req.end(text);
  });
}

function expectOk(what: string, sent: Sent): Sent {
  if (sent.status !== 200) throw new Error(`${what} answered ${sent.status}: ${sent.body.slice(0, 200)}`);
  return sent;
}

async function singlePut(base: string, file: string, key: string): Promise<void> {
  expectOk('PUT', await send(base, 'PUT', `/${BUCKET}/${key}`, { file, start: 0, end: LARGE_SIZE - 1 }));
}

async function multipartPut(base: string, file: string, key: string): Promise<void> {
  const created = await send(base, 'POST', `/${BUCKET}/${key}?uploads`);
  // The baseline has no CreateMultipartUpload: it takes any id.
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)?.[1] ?? `baseline-${key}`;
  const count = LARGE_SIZE / PART_SIZE;
  let next = 1;
  const worker = async () => {
    for (let n = next++; n <= count; n = next++) {
      expectOk(`part ${n}`, await send(base, 'PUT', `/${BUCKET}/${key}?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`, {
        file, start: (n - 1) * PART_SIZE, end: n * PART_SIZE - 1,
      }));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const parts = await partEtags(base, key, uploadId, count);
  const xml = `<CompleteMultipartUpload>${parts.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  expectOk('complete', await send(base, 'POST', `/${BUCKET}/${key}?uploadId=${encodeURIComponent(uploadId)}`, undefined, xml));
}

/** The parts' ETags from ListParts (Sluice); the baseline answers 404 and needs none. */
async function partEtags(base: string, key: string, uploadId: string, count: number): Promise<string[]> {
  const listed = await send(base, 'GET', `/${BUCKET}/${key}?uploadId=${encodeURIComponent(uploadId)}&max-parts=1000`);
  const etags = [...listed.body.matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((m) => m[1]!.replace(/&quot;/g, '"'));
  return listed.status === 200 ? etags : Array.from({ length: count }, () => '"x"');
}

interface Run {
  seconds: number;
  growthKiB?: number;
}

async function measure(server: ServerProcess, sampleRss: boolean, upload: () => Promise<void>): Promise<Run> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const idle = readMemoryStatus(server.pid).rssKiB;
  let peak = idle;
  const sampler = sampleRss ? setInterval(() => {
    peak = Math.max(peak, readMemoryStatus(server.pid).rssKiB);
  }, SAMPLE_MS) : undefined;
  const started = performance.now();
  try {
    await upload();
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return sampleRss ? { seconds, growthKiB: Math.max(peak, readMemoryStatus(server.pid).rssKiB) - idle } : { seconds };
}

export async function putUpload(ctx: BenchContext): Promise<SectionResult> {
  const file = join(ctx.data.root, ctx.data.largeKey);
  const sluiceRoot = join(ctx.data.dir, 'uploads-sluice');
  const baseRoot = join(ctx.data.dir, 'uploads-baseline');
  mkdirSync(sluiceRoot, { recursive: true });
  mkdirSync(baseRoot, { recursive: true });
  const config = join(ctx.data.dir, 'uploads.yaml');
  writeFileSync(config, uploadConfig(sluiceRoot));
  const sluice = await startSluice(ctx, config, 'sluice (fs uploads)');
  const baseline = await spawnServer({
    name: 'put receiver',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/servers/put-receiver.ts', '--root', baseRoot, '--listen', '{listen}'],
    cpu: ctx.serverCpu,
    readyPath: '/',
    cwd: process.cwd(),
  }).then((server) => {
    ctx.running.add(server);
    return server;
  });
  const rows: Array<{ label: string; ours: Run; base: Run }> = [];
  try {
    // Warm both with one small PUT so code paths are loaded before "idle".
    await send(sluice.url, 'PUT', `/${BUCKET}/warm`, undefined, 'warm');
    await send(baseline.url, 'PUT', `/${BUCKET}/warm`, undefined, 'warm');
    // Alternate baseline and Sluice so drifting background load hits both alike.
    const base1 = await measure(baseline, false, () => singlePut(baseline.url, file, 'single.bin'));
    const ours1 = await measure(sluice, true, () => singlePut(sluice.url, file, 'single.bin'));
    rows.push({ label: `single PUT, ${mib(LARGE_SIZE / 1024)} MiB`, ours: ours1, base: base1 });
    const base2 = await measure(baseline, false, () => multipartPut(baseline.url, file, 'multipart.bin'));
    const ours2 = await measure(sluice, true, () => multipartPut(sluice.url, file, 'multipart.bin'));
    rows.push({ label: `multipart, ${PART_SIZE / 1024 / 1024} MiB parts × ${PARALLEL} parallel`, ours: ours2, base: base2 });
  } finally {
    ctx.running.delete(baseline);
    await Promise.all([sluice.stop(), baseline.stop()]);
  }
  const rate = (run: Run) => LARGE_SIZE / 1024 / 1024 / run.seconds;
  const lines = [
    `put. Uploads of ${mib(LARGE_SIZE / 1024)} MiB onto disk, signed UNSIGNED-PAYLOAD: sluice (fs connection) vs a minimal Node receiver (MiB/s, higher is better)`,
    ...table(
      ['upload', 'baseline', 'sluice', 'sluice/baseline', 'sluice RSS peak − idle'],
      rows.map((r) => [r.label, fixed(rate(r.base), 1), fixed(rate(r.ours), 1), fixed(rate(r.ours) / rate(r.base), 2), `${mib(r.ours.growthKiB ?? 0)} MiB`]),
    ),
  ];
  const summary = rows.map((r) => {
    const ratio = rate(r.ours) / rate(r.base);
    const growth = (r.ours.growthKiB ?? 0) / 1024;
    return `upload ${r.label}: ${fixed(ratio, 2)}× (${fixed(rate(r.ours), 1)} vs ${fixed(rate(r.base), 1)} MiB/s; target ≥ ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'}), ` +
      `RSS peak − idle ${fixed(growth, 1)} MiB (target ≤ ${RSS_TARGET_MIB}: ${growth <= RSS_TARGET_MIB ? 'met' : 'NOT met'})`;
  });
  return { lines, summary };
}
