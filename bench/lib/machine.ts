/**
 * Whole-machine CPU accounting, to tell whether a measurement was disturbed:
 * over a window, CPU time used by the machine (/proc/stat) minus CPU time of
 * the benchmark's own processes (this one and everything it started,
 * reaped children included: /proc/PID/stat) is work we did not ask for.
 * Hypervisor steal is counted apart. Linux only; elsewhere nothing is
 * sampled and the run says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { clockTicksPerSecond } from './processes.ts';

interface CpuTimes {
  /** user + nice + system, in ticks: time a process can be charged for. */
  busy: number;
  /** irq + softirq: loopback traffic lands here, and no process is charged for it. */
  interrupts: number;
  steal: number;
  total: number;
}

interface ProcessTimes {
  ppid: number;
  name: string;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: children that exited and were reaped. */
  reaped: number;
}

interface Snapshot {
  at: number;
  machine: CpuTimes;
  perCpu: CpuTimes[];
  processes: Map<number, ProcessTimes>;
}

export interface WindowReport {
  seconds: number;
  /** Average CPUs busy with work that is not the benchmark's. */
  foreignCpus: number;
  stealCpus: number;
  interruptCpus: number;
  /** Fraction of each CPU busy (any process, interrupts included). */
  cpuBusy: number[];
  /** Other processes that used CPU in the window, busiest first. */
  top: Array<{ pid: number; name: string; cpus: number }>;
}

const available = (() => {
  try {
    readFileSync('/proc/stat');
    return true;
  } catch {
    return false;
  }
})();

function parseCpuLine(fields: string[]): CpuTimes {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
  const busy = user! + nice! + system!;
  const interrupts = irq! + softirq!;
  return { busy, interrupts, steal: steal ?? 0, total: busy + interrupts + idle! + iowait! + (steal ?? 0) };
}

function readProcessTimes(pid: number): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), name, own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined; // exited between listing and reading
  }
}

function snapshot(): Snapshot {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const machine = parseCpuLine(lines[0]!.trim().split(/\s+/).slice(1));
  const perCpu = lines.filter((l) => /^cpu\d+ /.test(l)).map((l) => parseCpuLine(l.trim().split(/\s+/).slice(1)));
  const processes = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = readProcessTimes(Number(entry));
    if (times) processes.set(Number(entry), times);
  }
  return { at: performance.now(), machine, perCpu, processes };
}

/** This process and everything it started (servers, wrk), as seen in a snapshot. */
function ourPids(snap: Snapshot): Set<number> {
  const ours = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of snap.processes) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return ours;
}

function compare(before: Snapshot, after: Snapshot): WindowReport {
  const seconds = (after.at - before.at) / 1000;
  const ticks = clockTicksPerSecond() * seconds;
  const ours = new Set([...ourPids(before), ...ourPids(after)]);
  let oursTicks = 0;
  const others: WindowReport['top'] = [];
  for (const [pid, p] of after.processes) {
    const was = before.processes.get(pid);
    // A pid reused by an unrelated process would show a negative delta; treat it as new.
    const start = was && was.own <= p.own ? was : { own: 0, reaped: 0 };
    if (ours.has(pid)) {
      // Our own reaped children (each wrk run) count here too.
      oursTicks += p.own - start.own + (pid === process.pid ? p.reaped - start.reaped : 0);
    } else if (p.own - start.own > 0) {
      others.push({ pid, name: p.name, cpus: (p.own - start.own) / ticks });
    }
  }
  const busyTicks = after.machine.busy - before.machine.busy;
  const fraction = (b: CpuTimes, a: CpuTimes) =>
    a.total > b.total ? (a.busy + a.interrupts + a.steal - b.busy - b.interrupts - b.steal) / (a.total - b.total) : 0;
  return {
    seconds,
    foreignCpus: Math.max(0, busyTicks - oursTicks) / ticks,
    stealCpus: (after.machine.steal - before.machine.steal) / ticks,
    interruptCpus: (after.machine.interrupts - before.machine.interrupts) / ticks,
    cpuBusy: after.perCpu.map((a, i) => fraction(before.perCpu[i] ?? a, a)),
    top: others.sort((a, b) => b.cpus - a.cpus).slice(0, 3),
  };
}

/** Start a window; `end()` reports what the machine did meanwhile (undefined off Linux). */
export function openWindow(): { end(): WindowReport | undefined } {
  if (!available) return { end: () => undefined };
  const before = snapshot();
  return { end: () => compare(before, snapshot()) };
}

/** Watch the machine, idle, for `seconds`. */
export async function sampleIdle(seconds: number): Promise<WindowReport | undefined> {
  const window = openWindow();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return window.end();
}

export const describeTop = (report: WindowReport) =>
  report.top.length === 0
    ? 'no other process stood out (short-lived processes, or the kernel)'
    : report.top.map((p) => `${p.name} (pid ${p.pid}) ${(p.cpus * 100).toFixed(0)} %`).join(', ');

export const machineSampling = available;
