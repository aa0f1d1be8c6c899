/**
 * Measuring several servers against each other: warm each up, then run the
 * load in rounds that alternate between them (A B C A B C …), so that other
 * work on the machine, which comes and goes, weighs on all of them alike.
 * Alongside wrk's figures, the server's own CPU time per request is taken
 * from /proc: it moves much less than req/s when the machine is busy.
 * Every round is also a window on the whole machine (`machine.ts`), kept
 * in the context so the run can tell a disturbed measurement from a real one.
 */
import type { BenchContext } from './context.ts';
import { openWindow } from './machine.ts';
import { readCpuSeconds, type ServerProcess } from './processes.ts';
import { runWrk } from './wrk.ts';

export interface Target {
  label: string;
  server: ServerProcess;
  script: string;
  connections: number;
  timeoutSeconds?: number;
}

export interface Measured {
  label: string;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  mibPerSecond: number;
  /** Medians over the rounds (wrk reports percentiles per run). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Server CPU time (all its threads) while measured. */
  cpuSeconds: number;
  cpuMicrosecondsPerRequest: number;
  /** Server CPU seconds per GiB sent. */
  cpuSecondsPerGiB: number;
  /** How busy the load generator's CPU was (0–1, median over the rounds); near 1, the load side may be the limit. */
  loadCpuBusy: number | undefined;
}

const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function measureAlternating(ctx: BenchContext, targets: readonly Target[]): Promise<Measured[]> {
  const runOf = (t: Target, seconds: number) =>
    runWrk({ url: t.server.url, script: t.script, connections: t.connections, cpu: ctx.loadCpu, timeoutSeconds: t.timeoutSeconds, seconds });
  for (const t of targets) await runOf(t, ctx.warmupSeconds);

  const totals = targets.map(() => ({ requests: 0, seconds: 0, bytes: 0, cpu: 0, p50: [] as number[], p90: [] as number[], p99: [] as number[], loadBusy: [] as number[] }));
  for (let round = 0; round < ctx.rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const window = openWindow();
      const startUs = monotonicMicroseconds();
      const cpuBefore = readCpuSeconds(t.server.pid);
      const r = await runOf(t, ctx.roundSeconds);
      const cpu = readCpuSeconds(t.server.pid) - cpuBefore;
      ctx.roundLog.push({ label: t.label, server: t.server.name, startUs, endUs: monotonicMicroseconds() });
      const machine = window.end();
      if (machine) ctx.windows.push({ label: t.label, ...machine });
      if (r.errors > 0) throw new Error(`${r.errors} failed requests for "${t.label}"; the figure would be meaningless`);
      const total = totals[i]!;
      total.requests += r.requests;
      total.seconds += r.seconds;
      total.bytes += r.bytes;
      total.cpu += cpu;
      total.p50.push(r.p50Ms);
      total.p90.push(r.p90Ms);
      total.p99.push(r.p99Ms);
      const loadBusy = ctx.loadCpu === undefined ? undefined : machine?.cpuBusy[ctx.loadCpu];
      if (loadBusy !== undefined) total.loadBusy.push(loadBusy);
    }
  }
  return targets.map((t, i) => {
    const total = totals[i]!;
    return {
      label: t.label,
      requests: total.requests,
      seconds: total.seconds,
      requestsPerSecond: total.requests / total.seconds,
      mibPerSecond: total.bytes / 1024 / 1024 / total.seconds,
      p50Ms: median(total.p50),
      p90Ms: median(total.p90),
      p99Ms: median(total.p99),
      cpuSeconds: total.cpu,
      cpuMicrosecondsPerRequest: (total.cpu * 1e6) / total.requests,
      cpuSecondsPerGiB: total.cpu / (total.bytes / 1024 ** 3),
      loadCpuBusy: total.loadBusy.length > 0 ? median(total.loadBusy) : undefined,
    };
  });
}
