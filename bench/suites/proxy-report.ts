/**
 * The proxy section's tables: every row's figures, its ratios to the
 * pass-through measured in the same run, and the targets beside them.
 * Targets: small and tile reads ≥ 0.8× pass-through req/s with p99 ≤ 1.5×;
 * CPU per KiB ≤ 1.5×; 256 MiB ≥ 1.0× MiB/s; signed ≥ 0.9× anonymous and
 * presigned ≥ 0.85× (req/s, or MiB/s for the large object).
 */
import type { Measured } from '../lib/measure.ts';
import type { Workload } from '../lib/proxy-setup.ts';
import { checked, fixed, mib, percent, ratio, table } from '../lib/report.ts';

export interface ProxyRow extends Measured {
  peakRssKiB: number;
}

const TARGETS = { reqPerSec: 0.8, p99: 1.5, cpuPerKiB: 1.5, mibPerSec: 1.0, signed: 0.9, presigned: 0.85 };

/**
 * Body bytes sent: answers × size for small and tile reads (wrk's byte count
 * also holds the response headers, larger for Sluice than for the
 * pass-through); wrk's bytes for the large object, where headers are noise
 * and a GET still running when a round ends must count too.
 */
const payloadBytes = (r: ProxyRow, w: Workload) =>
  w.name === 'large' ? r.mibPerSecond * 1024 * 1024 * r.seconds : r.requests * w.payload;
const payloadMiBps = (r: ProxyRow, w: Workload) => payloadBytes(r, w) / 1024 / 1024 / r.seconds;
const cpuPerKiB = (r: ProxyRow, w: Workload) => (r.cpuSeconds * 1e6) / (payloadBytes(r, w) / 1024);
/** wrk's percentiles of no completed request read 0; say so instead. */
const latency = (r: ProxyRow, ms: number) => (r.requests === 0 ? 'n/a' : fixed(ms, 2));

export function formatWorkload(w: Workload, rows: ProxyRow[]): { lines: string[]; summary: string[] } {
  const [, pass, anon, header, presigned] = rows as [ProxyRow, ProxyRow, ProxyRow, ProxyRow, ProxyRow];
  const large = w.name === 'large';
  const lines = [
    `   ${w.title}`,
    ...table(
      ['server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'MiB/s', 'CPU µs/req', 'CPU µs/KiB', 'peak RSS MiB', 'load CPU',
        'req/s vs pass', 'p99 vs pass', 'CPU/KiB vs pass'],
      rows.map((r, i) => [
        r.label,
        fixed(r.requestsPerSecond, large ? 1 : 0),
        latency(r, r.p50Ms),
        latency(r, r.p90Ms),
        latency(r, r.p99Ms),
        fixed(payloadMiBps(r, w), payloadMiBps(r, w) < 10 ? 1 : 0),
        r.requests === 0 ? 'n/a' : fixed(r.cpuMicrosecondsPerRequest),
        fixed(cpuPerKiB(r, w), 2),
        mib(r.peakRssKiB),
        percent(r.loadCpuBusy),
        i === 1 ? '(baseline)' : ratio(r.requestsPerSecond, pass.requestsPerSecond),
        i === 1 ? '' : ratio(r.p99Ms, pass.p99Ms),
        i === 1 ? '' : ratio(cpuPerKiB(r, w), cpuPerKiB(pass, w)),
      ]),
      '     ',
    ),
  ];
  const throughput = (r: ProxyRow) => (large ? payloadMiBps(r, w) : r.requestsPerSecond);
  const checks = large
    ? [`MiB/s ${checked(payloadMiBps(anon, w), payloadMiBps(pass, w), '≥', TARGETS.mibPerSec)}`]
    : [
        `req/s ${checked(anon.requestsPerSecond, pass.requestsPerSecond, '≥', TARGETS.reqPerSec)}`,
        `p99 ${checked(anon.p99Ms, pass.p99Ms, '≤', TARGETS.p99)}`,
      ];
  checks.push(`CPU/KiB ${checked(cpuPerKiB(anon, w), cpuPerKiB(pass, w), '≤', TARGETS.cpuPerKiB)}`);
  const unit = large ? 'MiB/s' : 'req/s';
  const signedChecks = [
    `header-signed ${checked(throughput(header), throughput(anon), '≥', TARGETS.signed)}`,
    `presigned ${checked(throughput(presigned), throughput(anon), '≥', TARGETS.presigned)}`,
  ];
  const few = rows.filter((r) => r.requests < 3);
  if (large && few.length > 0) {
    lines.push(`     few complete GETs (${few.map((r) => r.requests).join(', ')}) in some rows: latencies and req/s say little; raise --seconds`);
  }
  lines.push(
    `     sluice anonymous / pass-through: ${checks.join('; ')}`,
    `     signed / anonymous ${unit} (same process): ${signedChecks.join('; ')}`,
  );
  const name = { small: '4 KiB', tile64: '64 KiB tiles', tile16: '16 KiB tiles', large: '256 MiB' }[w.name];
  return {
    lines,
    summary: [
      `proxy ${name}, sluice/pass-through: ${checks.join('; ')}`,
      `proxy ${name}, signed/anonymous ${unit}: ${signedChecks.join('; ')}`,
    ],
  };
}
