/**
 * 8. The hot-range cache: 64 KiB ranged GETs at Zipf-distributed offsets
 * over one 256 MiB object (the proxy section's tile workload), read directly
 * from the store, through Sluice without a cache, and through Sluice with a
 * warm cache (every chunk the workload touches already in memory). The
 * store is s3rver, a local S3 implementation, holding the object
 * (`--cache-store s3rver`, the default), or the proxy section's static
 * origin (`--cache-store nginx`); Sluice reaches it through an S3
 * connection. The store Sluice reads runs on the load generator's CPU; the
 * direct row is a second store process on the server CPU, like the proxy
 * section's.
 * Targets: warm cache ≥ 3× the store's req/s, and p50 ≤ 1/3 of the store's.
 */
import { request } from 'node:http';
import { type BenchContext, expectServes, startSluice } from '../lib/context.ts';
import { LARGE_SIZE } from '../lib/data.ts';
import { measureAlternating, type Measured } from '../lib/measure.ts';
import { chooseCacheStore } from '../lib/cache-store.ts';
import { anonymousRequests, workload, writeProxyConfig } from '../lib/proxy-setup.ts';
import { checked, fixed, ratio, table } from '../lib/report.ts';
import { withServers } from '../lib/with-servers.ts';
import { writeWrkScript } from '../lib/wrk.ts';
import type { SectionResult } from './section.ts';

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const TARGETS = { reqPerSec: 3, p50: 1 / 3 };

/** One GET's status and `x-cache`, the body read and dropped. */
function probe(url: string, range: string): Promise<{ status: number; cache: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { range }, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['x-cache'] as string | undefined }));
    });
    req.once('error', reject);
    req.end();
  });
}

export async function rangeCache(ctx: BenchContext): Promise<SectionResult> {
  const storeKind = chooseCacheStore(ctx, ctx.cacheStore);
  const w = workload('tile64', ctx.data);
  const lines = [
    `8. Hot-range cache: store ${storeKind.description} (the store Sluice reads on CPU ${ctx.loadCpu ?? '(unpinned)'} with the load generator; ` +
      `the direct row is a second store process on CPU ${ctx.serverCpu ?? '(unpinned)'})`,
    `   ${w.title}`,
    `   cache: ${CHUNK / MiB} MiB chunks in memory (512 MiB tier), warmed before measuring: every chunk of the object read once`,
  ];
  const store = await storeKind.start('cache-store', ctx.loadCpu);
  try {
    const uploadStarted = performance.now();
    await storeKind.prepare(store.url);
    if (storeKind.kind === 's3rver') lines.push(`   the object uploaded to the store once, one streamed PUT, in ${((performance.now() - uploadStarted) / 1000).toFixed(1)} s`);
    const credentials = storeKind.credentials;
    const plain = writeProxyConfig(ctx.data, store.url, { name: 'sluice-no-cache', credentials });
    const cached = writeProxyConfig(ctx.data, store.url, { name: 'sluice-cache', credentials, cache: ['memory:', `  maxBytes: ${512 * MiB}`] });
    const rows = await withServers(
      [
        () => storeKind.start('cache-direct', ctx.serverCpu),
        () => startSluice(ctx, plain, 'sluice-no-cache'),
        () => startSluice(ctx, cached, 'sluice-cache'),
      ],
      async ([direct, uncached, warm]) => {
        const requests = anonymousRequests(w);
        const directRequests = await storeKind.directRequests(w, direct!.url);
        await expectServes(`${direct!.url}${directRequests[0]!.path}`, w.payload, directRequests[0]!.headers, w.status);
        for (const server of [uncached!, warm!]) {
          await expectServes(`${server.url}${requests[0]!.path}`, w.payload, requests[0]!.headers, w.status);
        }
        // Warm: one read per chunk, then check that the workload's requests are hits.
        const path = requests[0]!.path;
        for (let first = 0; first < LARGE_SIZE; first += CHUNK) {
          const { status } = await probe(`${warm!.url}${path}`, `bytes=${first}-${first}`);
          if (status !== 206) throw new Error(`warming chunk at ${first}: status ${status}`);
        }
        for (const r of requests.slice(0, 32)) {
          const { cache } = await probe(`${warm!.url}${r.path}`, r.headers!.range!);
          if (cache !== 'HIT') throw new Error(`after warming, ${r.headers!.range} answered x-cache: ${cache}; the cache row would not measure hits`);
        }
        const { cache: plainCache } = await probe(`${uncached!.url}${path}`, requests[0]!.headers!.range!);
        if (plainCache !== undefined) throw new Error(`the uncached Sluice answered x-cache: ${plainCache}`);
        const script = writeWrkScript(ctx.data.dir, 'range-cache-tiles', requests);
        const directScript = writeWrkScript(ctx.data.dir, 'range-cache-tiles-direct', directRequests);
        const target = (label: string, server: typeof direct, wrkScript = script) =>
          ({ label, server: server!, script: wrkScript, connections: w.connections, timeoutSeconds: w.timeoutSeconds });
        return measureAlternating(ctx, [
          target(`direct to the store (${storeKind.kind})`, direct, directScript),
          target('sluice, no cache', uncached),
          target('sluice, warm cache', warm),
        ]);
      },
    );
    const [direct, uncached, warm] = rows as [Measured, Measured, Measured];
    lines.push(...table(
      ['server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'CPU µs/req', 'req/s vs store', 'p50 vs store'],
      rows.map((r, i) => [
        r.label, fixed(r.requestsPerSecond), fixed(r.p50Ms, 2), fixed(r.p90Ms, 2), fixed(r.p99Ms, 2), fixed(r.cpuMicrosecondsPerRequest),
        i === 0 ? '(baseline)' : ratio(r.requestsPerSecond, direct.requestsPerSecond), i === 0 ? '' : ratio(r.p50Ms, direct.p50Ms),
      ]),
      '     ',
    ));
    const checks = [
      `req/s ${checked(warm.requestsPerSecond, direct.requestsPerSecond, '≥', TARGETS.reqPerSec)}`,
      `p50 ${checked(warm.p50Ms, direct.p50Ms, '≤', TARGETS.p50)}`,
    ];
    lines.push(
      `     warm cache / store: ${checks.join('; ')}`,
      `     warm cache / no cache: req/s ${ratio(warm.requestsPerSecond, uncached.requestsPerSecond)}, p50 ${ratio(warm.p50Ms, uncached.p50Ms)}`,
    );
    return { lines, summary: [`cache 64 KiB tiles (${storeKind.kind}), warm cache/store: ${checks.join('; ')}`] };
  } finally {
    await store.stop();
  }
}
