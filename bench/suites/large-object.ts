/**
 * 2. Large object throughput: one connection GETting the same 256 MiB object
 * back to back, through Sluice against the minimal static file server.
 */
import { type BenchContext, expectServes, startBaseline, startSluice } from '../lib/context.ts';
import { LARGE_SIZE, PUBLIC_BUCKET } from '../lib/data.ts';
import { measureAlternating } from '../lib/measure.ts';
import { againstTarget, fixed, ratio, table } from '../lib/report.ts';
import { withServers } from '../lib/with-servers.ts';
import { writeWrkScript } from '../lib/wrk.ts';
import type { SectionResult } from './section.ts';

const CONNECTIONS = 1;
const TARGET = 0.9;

export async function largeObject(ctx: BenchContext): Promise<SectionResult> {
  const path = `/${PUBLIC_BUCKET}/${ctx.data.largeKey}`;
  const script = writeWrkScript(ctx.data.dir, 'large-object', [{ path }]);
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
      // Also Sluice's first read of the file, which computes its ETag, outside the measured runs.
      for (const server of servers) await expectServes(`${server.url}${path}`, LARGE_SIZE);
      return measureAlternating(
        ctx,
        servers.map((server, i) => ({ label: labels[i]!, server, script, connections: CONNECTIONS, timeoutSeconds: 60 })),
      );
    },
  );
  const [base, logged, quiet] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  const lines = [
    `2. GET of one ${LARGE_SIZE / 1024 / 1024} MiB object, back to back, ${CONNECTIONS} connection ` +
      `(higher MiB/s is better; lower CPU per GiB is better)`,
    ...table(
      ['server', 'MiB/s', 'GETs', 'ms per GET (p50)', 'CPU s/GiB', 'CPU vs baseline', 'MiB/s sluice/baseline'],
      results.map((r, i) => [
        r.label,
        fixed(r.mibPerSecond),
        fixed(r.requests),
        fixed(r.p50Ms, 0),
        fixed(r.cpuSecondsPerGiB, 2),
        i === 0 ? '' : ratio(r.cpuSecondsPerGiB, base.cpuSecondsPerGiB),
        i === 0 ? '(baseline)' : againstTarget(r.mibPerSecond, base.mibPerSecond, TARGET),
      ]),
    ),
  ];
  return {
    lines,
    summary: [
      `256 MiB MiB/s, default config:    ${againstTarget(logged.mibPerSecond, base.mibPerSecond, TARGET)}`,
      `256 MiB MiB/s, access log off:    ${againstTarget(quiet.mibPerSecond, base.mibPerSecond, TARGET)}`,
    ],
  };
}
