/**
 * 1. Small objects: 4 KiB anonymous GETs spread over 1,000 objects at 32
 * concurrent connections, through Sluice (default config, and with the
 * access log off) against the minimal static file server.
 */
import { type BenchContext, expectServes, startBaseline, startSluice } from '../lib/context.ts';
import { PUBLIC_BUCKET, SMALL_COUNT, SMALL_SIZE } from '../lib/data.ts';
import { measureAlternating } from '../lib/measure.ts';
import { againstTarget, fixed, ratio, table } from '../lib/report.ts';
import { withServers } from '../lib/with-servers.ts';
import { writeWrkScript } from '../lib/wrk.ts';
import type { SectionResult } from './section.ts';

const CONNECTIONS = 32;
const TARGET = 0.8;

export async function smallObjects(ctx: BenchContext): Promise<SectionResult> {
  const paths = ctx.data.smallKeys.map((key) => ({ path: `/${PUBLIC_BUCKET}/${key}` }));
  const script = writeWrkScript(ctx.data.dir, 'small-objects', paths);
  const labels = [
    'baseline: node:http, stat, createReadStream().pipe()',
    'sluice serve, default config (access log on)',
    'sluice serve, server.accessLog: false',
  ];
  const results = await withServers(
    [
      () => startBaseline(ctx),
      () => startSluice(ctx, ctx.data.defaultConfig, 'sluice'),
      () => startSluice(ctx, ctx.data.quietConfig, 'sluice (no access log)'),
    ],
    async (servers) => {
      for (const server of servers) await expectServes(`${server.url}${paths[0]!.path}`, SMALL_SIZE);
      return measureAlternating(ctx, servers.map((server, i) => ({ label: labels[i]!, server, script, connections: CONNECTIONS })));
    },
  );
  const [base, logged, quiet] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  const lines = [
    `1. ${SMALL_SIZE / 1024} KiB GETs over ${fixed(SMALL_COUNT)} objects, ${CONNECTIONS} connections ` +
      `(higher req/s is better; lower CPU per request is better)`,
    ...table(
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'CPU vs baseline', 'req/s sluice/baseline'],
      results.map((r, i) => [
        r.label,
        fixed(r.requestsPerSecond),
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        fixed(r.cpuMicrosecondsPerRequest),
        i === 0 ? '' : ratio(r.cpuMicrosecondsPerRequest, base.cpuMicrosecondsPerRequest),
        i === 0 ? '(baseline)' : againstTarget(r.requestsPerSecond, base.requestsPerSecond, TARGET),
      ]),
    ),
  ];
  return {
    lines,
    summary: [
      `4 KiB req/s, default config:      ${againstTarget(logged.requestsPerSecond, base.requestsPerSecond, TARGET)}; ` +
        `server CPU per request ${ratio(logged.cpuMicrosecondsPerRequest, base.cpuMicrosecondsPerRequest)}`,
      `4 KiB req/s, access log off:      ${againstTarget(quiet.requestsPerSecond, base.requestsPerSecond, TARGET)}; ` +
        `server CPU per request ${ratio(quiet.cpuMicrosecondsPerRequest, base.cpuMicrosecondsPerRequest)}`,
    ],
  };
}
