/**
 * 3. Memory while streaming: a 1 GiB object to a client reading at a few
 * tens of MiB/s. A server that honours backpressure keeps its resident set
 * flat; one that buffers grows by whatever the client has not read yet.
 * Sluice and the baseline run side by side (fresh processes, so VmHWM is the
 * peak of this test alone), each with its own slow reader. First, the
 * resident set of `sluice serve` on the shipped example config, idle.
 */
import { join } from 'node:path';
import { fetchOnce, readMemoryStatus, type MemoryStatus, type ServerProcess } from '../lib/processes.ts';
import { type BenchContext, REPO, startBaseline, startSluice } from '../lib/context.ts';
import { HUGE_SIZE, PUBLIC_BUCKET } from '../lib/data.ts';
import { fixed, mib, ratio, table } from '../lib/report.ts';
import { slowGet, type SlowReadResult } from '../lib/slow-reader.ts';
import type { SectionResult } from './section.ts';

const READ_RATE = 50 * 1024 * 1024;
const SAMPLE_MS = 100;
const IDLE_RSS_TARGET_MIB = 60;
const GROWTH_TARGET_MIB = 15;

const meets = (valueKiB: number, targetMiB: number) =>
  `${mib(valueKiB)} MiB (target ≤ ${targetMiB} MiB: ${valueKiB / 1024 <= targetMiB ? 'met' : 'NOT met'})`;

/** VmRSS of `sluice serve --config examples/sluice.yaml` one second after it first answers, before any other request. */
async function idleRss(ctx: BenchContext): Promise<number> {
  const sluice = await startSluice(ctx, join(REPO, 'examples', 'sluice.yaml'), 'sluice (example config)');
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return readMemoryStatus(sluice.pid).rssKiB;
  } finally {
    await sluice.stop();
  }
}

interface Observed {
  label: string;
  before: MemoryStatus;
  peakRssKiB: number;
  hwmKiB: number;
  after: MemoryStatus;
  read: SlowReadResult;
}

async function observe(label: string, server: ServerProcess, path: string, warmPath: string): Promise<Observed> {
  // Warm the server's code paths (and let Sluice compute the ETag) before "before".
  await fetchOnce(`${server.url}${warmPath}`);
  await fetchOnce(`${server.url}${path}`, 'HEAD');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = readMemoryStatus(server.pid);
  let peakRssKiB = before.rssKiB;
  const sampler = setInterval(() => {
    peakRssKiB = Math.max(peakRssKiB, readMemoryStatus(server.pid).rssKiB);
  }, SAMPLE_MS);
  let read: SlowReadResult;
  try {
    read = await slowGet(`${server.url}${path}`, READ_RATE);
  } finally {
    clearInterval(sampler);
  }
  if (read.status !== 200 || read.bytes !== HUGE_SIZE) throw new Error(`${label}: got ${read.status} with ${read.bytes} bytes`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = readMemoryStatus(server.pid);
  return { label, before, peakRssKiB, hwmKiB: after.hwmKiB, after, read };
}

export async function streamingMemory(ctx: BenchContext): Promise<SectionResult> {
  const idleKiB = await idleRss(ctx);
  const path = `/${PUBLIC_BUCKET}/${ctx.data.hugeKey}`;
  const warmPath = `/${PUBLIC_BUCKET}/${ctx.data.smallKeys[0]}`;
  const baseline = await startBaseline(ctx);
  const sluice = await startSluice(ctx, ctx.data.defaultConfig, 'sluice').catch(async (error: unknown) => {
    await baseline.stop();
    throw error;
  });
  let observed: Observed[];
  try {
    observed = await Promise.all([
      observe('baseline: node:http, stat, createReadStream().pipe()', baseline, path, warmPath),
      observe('sluice serve, default config', sluice, path, warmPath),
    ]);
  } finally {
    await Promise.all([baseline.stop(), sluice.stop()]);
  }
  const [base, ours] = observed as [Observed, Observed];
  const growth = (o: Observed) => o.peakRssKiB - o.before.rssKiB;
  const lines = [
    `3. Idle RSS of sluice serve on examples/sluice.yaml (1 s after its first answer): ${meets(idleKiB, IDLE_RSS_TARGET_MIB)}`,
    `   Server memory while streaming ${HUGE_SIZE / 1024 / 1024 / 1024} GiB to a client reading at ${READ_RATE / 1024 / 1024} MiB/s ` +
      `(/proc/PID/status, sampled every ${SAMPLE_MS} ms; MiB, lower is better)`,
    ...table(
      ['server', 'RSS before', 'peak RSS during', 'growth', 'VmHWM', 'RSS after', 'read at'],
      observed.map((o) => [
        o.label,
        mib(o.before.rssKiB),
        mib(o.peakRssKiB),
        mib(growth(o)),
        mib(o.hwmKiB),
        mib(o.after.rssKiB),
        `${fixed(o.read.bytes / 1024 / 1024 / o.read.seconds, 1)} MiB/s`,
      ]),
    ),
    `   sluice/baseline: peak RSS ${ratio(ours.peakRssKiB, base.peakRssKiB)}, VmHWM ${ratio(ours.hwmKiB, base.hwmKiB)}; ` +
      `growth during the stream ${mib(growth(ours))} MiB vs ${mib(growth(base))} MiB for ${HUGE_SIZE / 1024 / 1024} MiB sent`,
    `   sluice RSS growth while streaming: ${meets(growth(ours), GROWTH_TARGET_MIB)}`,
  ];
  return {
    lines,
    summary: [
      `idle RSS, examples/sluice.yaml:   ${meets(idleKiB, IDLE_RSS_TARGET_MIB)}`,
      `1 GiB slow stream, RSS growth:    ${meets(growth(ours), GROWTH_TARGET_MIB)}`,
      `1 GiB slow stream, peak RSS:      ${ratio(ours.peakRssKiB, base.peakRssKiB)} (${mib(ours.peakRssKiB)} MiB vs ${mib(base.peakRssKiB)} MiB; ` +
        `growth ${mib(growth(ours))} MiB vs ${mib(growth(base))} MiB)`,
    ],
  };
}
