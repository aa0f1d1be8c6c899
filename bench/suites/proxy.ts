/**
 * 6. The proxy path: Sluice reading through an S3 connection from a local
 * origin (nginx, or a Node static server without it), against a bare Node
 * pass-through to the same origin, and against the origin itself. The
 * origin that the proxies read from runs on the load generator's CPU, so
 * the server CPU belongs to the proxy under test alone; the direct-to-origin
 * row is a second origin process on the server CPU.
 *
 * Rows per workload: direct to origin; pass-through (the baseline);
 * Sluice anonymous (public bucket); Sluice with an Authorization header and
 * with a presigned URL (restricted bucket, one Sluice process for all three).
 */
import { request } from 'node:http';
import { type BenchContext, expectServes, startBenchServer, startSluice } from '../lib/context.ts';
import type { Measured } from '../lib/measure.ts';
import { measureAlternating } from '../lib/measure.ts';
import { chooseOrigin, originRoot, startOrigin } from '../lib/origin.ts';
import { readMemoryStatus, type ServerProcess } from '../lib/processes.ts';
import {
  anonymousRequests,
  headerSignedRequests,
  ORIGIN_BUCKET,
  presignedRequests,
  workload,
  type Workload,
  writeProxyConfig,
} from '../lib/proxy-setup.ts';
import { withServers } from '../lib/with-servers.ts';
import { type LoadRequest, writeWrkScript } from '../lib/wrk.ts';
import { formatWorkload, type ProxyRow } from './proxy-report.ts';
import type { SectionResult } from './section.ts';

/** Status and Content-Length only, then hang up: reading 256 MiB five times over would only slow the run down. */
function expectHeaders(url: string, headers: Record<string, string>, status: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const got = Number(res.headers['content-length']);
      res.destroy();
      if (res.statusCode === status && got === length) resolve();
      else reject(new Error(`GET ${url} answered ${res.statusCode} with Content-Length ${got}; expected ${status} with ${length}`));
    });
    req.once('error', reject);
    req.end();
  });
}

async function expectEach(server: ServerProcess, requests: readonly LoadRequest[], w: Workload): Promise<void> {
  const r = requests[0]!;
  if (w.name === 'large') await expectHeaders(`${server.url}${r.path}`, r.headers ?? {}, w.status, w.payload);
  else await expectServes(`${server.url}${r.path}`, w.payload, r.headers, w.status);
}

async function measureWorkload(ctx: BenchContext, w: Workload, originUrl: string, originKind: 'nginx' | 'node', root: string) {
  const config = writeProxyConfig(ctx.data, originUrl);
  const profile = ctx.proxy.profile;
  return withServers(
    [
      () => startOrigin(ctx, originKind, root, `direct-${w.name}`, ctx.serverCpu),
      () => startBenchServer(ctx, `pass-through-${w.name}`, 'pass-through.ts', ['--origin', originUrl], profile),
      () => startSluice(ctx, config, `sluice-${w.name}`, profile),
    ],
    async ([direct, pass, sluice]) => {
      const anonymous = anonymousRequests(w);
      const header = await headerSignedRequests(w, sluice!.url);
      const presigned = await presignedRequests(w, sluice!.url);
      for (const server of [direct!, pass!, sluice!]) await expectEach(server, anonymous, w);
      await expectEach(sluice!, header, w);
      await expectEach(sluice!, presigned, w);
      const open = await expectHeaders(`${sluice!.url}${header[0]!.path}`, {}, w.status, w.payload).then(() => true, () => false);
      if (open) throw new Error('the restricted bucket answered an anonymous GET; signed figures would not measure authentication');

      const script = (name: string, requests: LoadRequest[]) => writeWrkScript(ctx.data.dir, `proxy-${w.name}-${name}`, requests);
      const target = (label: string, server: ServerProcess, requests: string) =>
        ({ label, server, script: requests, connections: w.connections, timeoutSeconds: w.timeoutSeconds });
      const anonScript = script('anonymous', anonymous);
      const measured = await measureAlternating(ctx, [
        target(`direct to origin (${originKind})`, direct!, anonScript),
        target('pass-through: node:http + http.request + pipe()', pass!, anonScript),
        target('sluice, anonymous (public bucket)', sluice!, anonScript),
        target('sluice, Authorization header', sluice!, script('header', header)),
        target('sluice, presigned URL', sluice!, script('presigned', presigned)),
      ]);
      // VmHWM now, before the servers stop: the peak over this workload (the processes are fresh).
      const servers = [direct!, pass!, sluice!, sluice!, sluice!];
      return measured.map((m: Measured, i): ProxyRow => ({ ...m, peakRssKiB: readMemoryStatus(servers[i]!.pid).hwmKiB }));
    },
  );
}

export async function proxyPath(ctx: BenchContext): Promise<SectionResult> {
  const origin = chooseOrigin(ctx.proxy.origin);
  const root = originRoot(ctx, ORIGIN_BUCKET);
  const lines = [
    `6. Through an S3 connection: origin ${origin.description}, the proxies' origin on CPU ${ctx.loadCpu ?? '(unpinned)'} ` +
      `with the load generator; servers measured on CPU ${ctx.serverCpu ?? '(unpinned)'}`,
    '   latencies are wrk\'s, as measured (closed loop: no coordinated-omission correction); MiB/s counts payload bytes;',
    '   CPU is the measured server\'s own (utime + stime); peak RSS is VmHWM of that process (the three Sluice rows share one);',
    '   "load CPU" is how busy the load generator\'s CPU was: near 100 % the origin or wrk, not the server, may be the limit' +
      (ctx.proxy.profile ? ';\n   PROFILED: Sluice and the pass-through run under --cpu-prof, so their figures are slower than usual' : ''),
  ];
  const summary: string[] = [];
  const server = await startOrigin(ctx, origin.kind, root, 'origin', ctx.loadCpu);
  try {
    for (const name of ctx.proxy.workloads) {
      const w = workload(name, ctx.data);
      const rows = await measureWorkload(ctx, w, server.url, origin.kind, root);
      const formatted = formatWorkload(w, rows);
      lines.push('', ...formatted.lines);
      summary.push(...formatted.summary);
    }
  } finally {
    await server.stop();
  }
  return { lines, summary };
}
