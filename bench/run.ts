/**
 * `npm run bench`: every benchmark in one run, each figure next to a
 * baseline measured in the same run, then a summary of the ratios.
 *
 * Servers run as separate processes pinned to CPU 0; wrk, the slow reader
 * and this script are pinned to CPU 1. Needs `wrk` (Debian/Ubuntu:
 * `apt-get install -y wrk`; macOS: `brew install wrk`).
 *
 *   npm run bench                                  # everything, under 3 minutes
 *   npm run bench -- --only small,signed           # some sections: small, large, memory, signed, sigv4
 *   npm run bench -- --rounds 5 --seconds 3        # longer measurements
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchContext } from './lib/context.ts';
import { createDataSet } from './lib/data.ts';
import { cpuLayout, pinProcess } from './lib/processes.ts';
import { wrkAvailable } from './lib/wrk.ts';
import { largeObject } from './suites/large-object.ts';
import type { SectionResult } from './suites/section.ts';
import { signedRequests } from './suites/signed-requests.ts';
import { sigv4Micro } from './suites/sigv4-micro.ts';
import { smallObjects } from './suites/small-objects.ts';
import { streamingMemory } from './suites/streaming-memory.ts';

const SECTIONS: Record<string, { run: (ctx: BenchContext) => Promise<SectionResult>; needsWrk: boolean }> = {
  small: { run: smallObjects, needsWrk: true },
  large: { run: largeObject, needsWrk: true },
  memory: { run: streamingMemory, needsWrk: false },
  signed: { run: signedRequests, needsWrk: true },
  sigv4: { run: sigv4Micro, needsWrk: false },
};

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
  },
});
const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SECTIONS);
for (const name of chosen) if (!(name in SECTIONS)) throw new TypeError(`unknown section "${name}"; sections: ${Object.keys(SECTIONS).join(', ')}`);

const layout = cpuLayout();
const [serverCpu, loadCpu] = layout.pinned ? [0, 1] : [undefined, undefined];
if (loadCpu !== undefined) pinProcess(loadCpu);
const hasWrk = wrkAvailable();

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`Sluice benchmarks — Node ${process.version}, ${layout.cpus} CPUs, ` +
  (layout.pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'NOT pinned (needs 2 CPUs and taskset): figures are rough'));
console.log(`load average at start: ${load()} (other work on this machine skews every figure)`);
console.log(`each comparison: ${values.warmup} s warm-up per server, then ${values.rounds} rounds of ${values.seconds} s per server, ` +
  'alternating between them; latencies are medians over the rounds');
if (!hasWrk) console.log('wrk not found: sections small, large and signed are skipped. Install it: apt-get install -y wrk (or brew install wrk).');
console.log('');

const started = performance.now();
const data = createDataSet();
const ctx: BenchContext = {
  data,
  serverCpu,
  loadCpu,
  warmupSeconds: Number(values.warmup),
  rounds: Number(values.rounds),
  roundSeconds: Number(values.seconds),
  running: new Set(),
};
const summary: string[] = [];
let failed = false;
const cleanUp = async () => {
  await Promise.all([...ctx.running].map((server) => server.stop()));
  data.remove();
};
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

try {
  for (const name of chosen) {
    const section = SECTIONS[name]!;
    if (section.needsWrk && !hasWrk) {
      summary.push(`${name}: NOT RUN (wrk missing)`);
      continue;
    }
    try {
      const result = await section.run(ctx);
      for (const line of result.lines) console.log(line);
      summary.push(...result.summary);
    } catch (error) {
      failed = true;
      console.log(`${name}: NOT RUN: ${(error as Error).message}`);
      summary.push(`${name}: NOT RUN (see above)`);
    }
    console.log('');
  }
} finally {
  await cleanUp();
}

console.log('Summary (sluice/baseline unless stated):');
for (const line of summary) console.log(`   ${line}`);
console.log(`load average at end: ${load()}; took ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (failed) process.exitCode = 1;
