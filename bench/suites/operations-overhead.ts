/**
 * 8. What operating features cost: 4 KiB anonymous GETs at 32 connections
 * through `sluice serve` with the default configuration against the same
 * configuration plus `metrics` (every request counted and timed, backend
 * calls timed) and `limits` (a token bucket per client address checked on
 * every request, set high enough never to refuse), in one run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, expectServes, startSluice } from '../lib/context.ts';
import { PUBLIC_BUCKET, SMALL_SIZE } from '../lib/data.ts';
import { measureAlternating } from '../lib/measure.ts';
import { checked, fixed, table } from '../lib/report.ts';
import { withServers } from '../lib/with-servers.ts';
import { writeWrkScript } from '../lib/wrk.ts';
import type { SectionResult } from './section.ts';

const CONNECTIONS = 32;
/** Overhead target: at most 5 % fewer requests per second. */
const TARGET = 0.95;

const OPERATIONS_YAML = [
  'metrics:',
  '  enabled: true',
  'limits:',
  '  perAnonymousIp: { ratePerSecond: 1000000, burst: 1000000 }',
  '  perCredential: { ratePerSecond: 1000000, burst: 1000000 }',
  '',
].join('\n');

export async function operationsOverhead(ctx: BenchContext): Promise<SectionResult> {
  const paths = ctx.data.smallKeys.map((key) => ({ path: `/${PUBLIC_BUCKET}/${key}` }));
  const script = writeWrkScript(ctx.data.dir, 'operations-overhead', paths);
  const withOperations = join(ctx.data.dir, 'sluice-metrics-limits.yaml');
  writeFileSync(withOperations, readFileSync(ctx.data.defaultConfig, 'utf8') + OPERATIONS_YAML);
  const labels = ['sluice serve, default config (no metrics, no limits)', 'sluice serve, metrics + rate limits on'];
  const results = await withServers(
    [() => startSluice(ctx, ctx.data.defaultConfig, 'sluice'), () => startSluice(ctx, withOperations, 'sluice (metrics + limits)')],
    async (servers) => {
      for (const server of servers) await expectServes(`${server.url}${paths[0]!.path}`, SMALL_SIZE);
      const [, on] = servers;
      const scrape = await fetch(`${on!.url}/.metrics`);
      if (scrape.status !== 200) throw new Error(`/.metrics answered ${scrape.status}: the configuration did not turn metrics on`);
      await scrape.text();
      return measureAlternating(ctx, servers.map((server, i) => ({ label: labels[i]!, server, script, connections: CONNECTIONS })));
    },
  );
  const [off, on] = results as [(typeof results)[0], (typeof results)[0]];
  const overhead = 1 - on.requestsPerSecond / off.requestsPerSecond;
  const lines = [
    `8. ${SMALL_SIZE / 1024} KiB GETs, ${CONNECTIONS} connections: metrics and rate limiting on vs off (higher req/s is better)`,
    ...table(
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s on/off'],
      results.map((r, i) => [
        r.label,
        fixed(r.requestsPerSecond),
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        fixed(r.cpuMicrosecondsPerRequest),
        i === 0 ? '(baseline)' : checked(r.requestsPerSecond, off.requestsPerSecond, '≥', TARGET),
      ]),
    ),
    `   overhead: ${(overhead * 100).toFixed(1)} % fewer req/s, ${fixed(on.cpuMicrosecondsPerRequest - off.cpuMicrosecondsPerRequest)} µs more server CPU per request`,
  ];
  return {
    lines,
    summary: [`metrics + rate limits, 4 KiB req/s on/off: ${checked(on.requestsPerSecond, off.requestsPerSecond, '≥', TARGET)} (overhead ${(overhead * 100).toFixed(1)} %)`],
  };
}
