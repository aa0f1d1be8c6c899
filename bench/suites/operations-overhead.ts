/**
 * 8. What operating features cost: 4 KiB anonymous GETs at 32 connections
 * through `sluice serve` with the default configuration against the same
 * configuration plus `metrics` (every request counted and timed, backend
 * calls timed) and `limits` (a token bucket per client address checked on
 * every request, set high enough never to refuse), in one run. On a shared
 * VM two server processes' req/s swing by more than the 5 % to be judged
 * (the same configuration twice differs by up to 20 %), so the target is
 * judged on the features' own CPU cost: measured in one process pinned to
 * the server CPU, both configurations interleaved batch by batch
 * (`bench/feature-cost.ts`), as a share of the server CPU an HTTP request
 * costs without them.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureCost } from '../feature-cost.ts';
import { type BenchContext, REPO, expectServes, startSluice } from '../lib/context.ts';
import { PUBLIC_BUCKET, SMALL_SIZE } from '../lib/data.ts';
import { measureAlternating } from '../lib/measure.ts';
import { fixed, table } from '../lib/report.ts';
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

/** The features' CPU per request, from `bench/feature-cost.ts` in its own process on the server CPU. */
function featureCost(ctx: BenchContext, base: string, withFeatures: string, paths: readonly string[]): Promise<FeatureCost> {
  const args = ['--import', 'tsx', 'bench/feature-cost.ts', base, withFeatures, ...paths.slice(0, 100), '--json'];
  const [command, argv] = ctx.serverCpu === undefined ? [process.execPath, args] : ['taskset', ['-c', String(ctx.serverCpu), process.execPath, ...args]];
  return new Promise((resolve, reject) => {
    execFile(command, argv, { cwd: REPO, encoding: 'utf8', timeout: 300_000, env: { ...process.env, MALLOC_TRIM_THRESHOLD_: '134217728' } }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out.trim().split('\n').at(-1)!) as FeatureCost));
  });
}

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
  const cost = await featureCost(ctx, ctx.data.defaultConfig, withOperations, paths.map((p) => p.path));
  const added = cost.withMicroseconds - cost.baseMicroseconds;
  const share = added / off.cpuMicrosecondsPerRequest;
  const judged = `${(share * 100).toFixed(1)} % of a request's server CPU (target ≤ ${((1 - TARGET) * 100).toFixed(0)} %: ${share <= 1 - TARGET ? 'met' : 'NOT met'})`;
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
        i === 0 ? '(baseline)' : `×${(r.requestsPerSecond / off.requestsPerSecond).toFixed(2)}`,
      ]),
    ),
    `   between the two servers: ${(overhead * 100).toFixed(1)} % fewer req/s, ${fixed(on.cpuMicrosecondsPerRequest - off.cpuMicrosecondsPerRequest)} µs more server CPU per request (process-to-process noise included)`,
    `   in one process, interleaved (${cost.requestsEach.toLocaleString('en-US')} GETs each, HTTP left out): ${cost.baseMicroseconds.toFixed(1)} → ${cost.withMicroseconds.toFixed(1)} µs per request, ` +
      `+${added.toFixed(1)} µs`,
    `   overhead of metrics + rate limits: ${judged}`,
  ];
  return {
    lines,
    summary: [`metrics + rate limits on 4 KiB GETs: +${added.toFixed(1)} µs CPU per request, ${judged}; req/s between servers ×${(on.requestsPerSecond / off.requestsPerSecond).toFixed(2)}`],
  };
}
