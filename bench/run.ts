/**
 * `npm run bench`: every benchmark in one run, each figure next to a
 * baseline measured in the same run, then a summary of the ratios.
 *
 * Servers run as separate processes pinned to CPU 0; wrk, the slow reader,
 * the proxies' origin and this script are pinned to CPU 1. Needs `wrk`
 * (Debian/Ubuntu: `apt-get install -y wrk nginx`; macOS: `brew install wrk`);
 * nginx is optional. Before and during the measurements the whole machine
 * is watched; a run disturbed by other work says why and exits 3 without
 * its figures, unless `--force` (or SLUICE_BENCH_FORCE=1) prints them marked.
 *
 *   npm run bench                                        # everything, about 6 minutes
 *   npm run bench -- --only small,signed                 # sections: small, large, memory, signed, sigv4, proxy, sts, put, operations, cache
 *   npm run bench -- --only proxy --workloads tile64 --rounds 1 --seconds 5
 *   npm run bench -- --only proxy --workloads tile64 --cpu-prof   # profiles into .bench/
 *   npm run bench -- --rounds 5 --seconds 3              # longer measurements
 *   npm run bench -- --only cache --cache-store nginx    # the cache section against nginx instead of s3rver
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchContext, REPO } from './lib/context.ts';
import { createDataSet } from './lib/data.ts';
import { judge } from './lib/disturbance.ts';
import { machineSampling, openWindow, sampleIdle } from './lib/machine.ts';
import { cpuLayout, pinProcess } from './lib/processes.ts';
import { WORKLOAD_NAMES } from './lib/proxy-setup.ts';
import { wrkAvailable } from './lib/wrk.ts';
import { largeObject } from './suites/large-object.ts';
import { operationsOverhead } from './suites/operations-overhead.ts';
import { proxyPath } from './suites/proxy.ts';
import { putUpload } from './suites/put-upload.ts';
import { rangeCache } from './suites/range-cache.ts';
import type { SectionResult } from './suites/section.ts';
import { signedRequests } from './suites/signed-requests.ts';
import { sigv4Micro } from './suites/sigv4-micro.ts';
import { smallObjects } from './suites/small-objects.ts';
import { streamingMemory } from './suites/streaming-memory.ts';
import { stsExchange } from './suites/sts.ts';
import { allocatorTuned, RECOMMENDED_TRIM_THRESHOLD, TRIM_THRESHOLD_VARIABLE } from '../src/runtimes/node/malloc-tuning.ts';

const SECTIONS: Record<string, { run: (ctx: BenchContext) => Promise<SectionResult>; needsWrk: boolean }> = {
  small: { run: smallObjects, needsWrk: true },
  large: { run: largeObject, needsWrk: true },
  memory: { run: streamingMemory, needsWrk: false },
  signed: { run: signedRequests, needsWrk: true },
  sigv4: { run: sigv4Micro, needsWrk: false },
  proxy: { run: proxyPath, needsWrk: true },
  sts: { run: stsExchange, needsWrk: false },
  put: { run: putUpload, needsWrk: false },
  operations: { run: operationsOverhead, needsWrk: true },
  cache: { run: rangeCache, needsWrk: true },
};

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    workloads: { type: 'string', default: WORKLOAD_NAMES.join(',') },
    origin: { type: 'string', default: 'auto' },
    'cache-store': { type: 'string', default: 's3rver' },
    'cpu-prof': { type: 'boolean', default: false },
    force: { type: 'boolean', default: process.env.SLUICE_BENCH_FORCE === '1' },
    'max-other-cpu': { type: 'string', default: '0.10' },
  },
});
const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SECTIONS);
for (const name of chosen) if (!(name in SECTIONS)) throw new TypeError(`unknown section "${name}"; sections: ${Object.keys(SECTIONS).join(', ')}`);
const workloads = values.workloads.split(',').map((s) => s.trim());
for (const name of workloads) {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(name)) throw new TypeError(`unknown workload "${name}"; workloads: ${WORKLOAD_NAMES.join(', ')}`);
}
if (values['cache-store'] !== 's3rver' && values['cache-store'] !== 'nginx') {
  throw new TypeError(`--cache-store must be s3rver or nginx, not "${values['cache-store']}"`);
}
const maxOtherCpu = Number(values['max-other-cpu']);
if (!(maxOtherCpu >= 0)) throw new TypeError(`--max-other-cpu must be a number of CPUs ≥ 0, not "${values['max-other-cpu']}"`);
const force = values.force;
const PROFILE_DIR = join(REPO, '.bench');
const profileStamp = new Date().toISOString().replace(/[:.]/g, '-');

const layout = cpuLayout();
const [serverCpu, loadCpu] = layout.pinned ? [0, 1] : [undefined, undefined];
if (loadCpu !== undefined) pinProcess(loadCpu);
const hasWrk = wrkAvailable();

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`Sluice benchmarks — Node ${process.version}, ${layout.cpus} CPUs, ` +
  (layout.pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'NOT pinned (needs 2 CPUs and taskset): figures are rough'));
console.log(`load average at start: ${load()} (other work on this machine skews every figure)`);
console.log(allocatorTuned(process.env)
  ? 'every server process inherits this environment\'s glibc allocator settings'
  : `every server process runs with ${TRIM_THRESHOLD_VARIABLE}=${RECOMMENDED_TRIM_THRESHOLD}, as docs/deployment.md prescribes for Sluice`);
console.log(`each comparison: ${values.warmup} s warm-up per server, then ${values.rounds} rounds of ${values.seconds} s per server, ` +
  'alternating between them; latencies are medians over the rounds');
if (!hasWrk) console.log('wrk not found: sections small, large, signed and proxy are skipped. Install it: apt-get install -y wrk (or brew install wrk).');
if (values['cpu-prof']) console.log(`section proxy runs Sluice and the pass-through under --cpu-prof; profiles go to ${PROFILE_DIR}`);

// Judge the machine before anything runs: a busy machine makes every figure below meaningless.
if (!machineSampling) console.log('no /proc/stat here: the run cannot tell whether other work disturbed it');
const idle = await sampleIdle(2);
const before = idle && judge([idle], maxOtherCpu);
if (before) console.log(`before the run, 2 s idle: ${before.line}`);
if (before?.disturbed && !force) {
  console.log('Too disturbed to measure: stop the work above, or pass --force (SLUICE_BENCH_FORCE=1) to print figures marked DISTURBED.');
  process.exit(3);
}
let disturbed = before?.disturbed ?? false;
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
  windows: [],
  roundLog: [],
  profileArgs: (name) => {
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = `${name.replace(/[^a-z0-9]+/gi, '-')}-${profileStamp}.cpuprofile`;
    return ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', file, '--cpu-prof-interval', '250'];
  },
  proxy: { origin: values.origin, workloads: workloads as BenchContext['proxy']['workloads'], profile: values['cpu-prof'] },
  cacheStore: values['cache-store'],
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
      ctx.windows = [];
      const window = openWindow();
      const result = await section.run(ctx);
      const whole = window.end();
      // Rounds under load when the section has them; otherwise the whole section.
      const verdict = judge(ctx.windows.length > 0 ? ctx.windows : whole ? [whole] : [], maxOtherCpu);
      if (verdict?.disturbed && !force) {
        console.log(`${name}: figures withheld. ${verdict.line}`);
        console.log('Too disturbed to judge: stopping here. Rerun on a quiet machine, or pass --force to print figures marked DISTURBED.');
        summary.push(`${name}: DISTURBED, figures withheld`);
        disturbed = true;
        break;
      }
      const mark = verdict?.disturbed ? 'DISTURBED ' : '';
      result.lines.forEach((line, i) => console.log(i === 0 && mark ? `[DISTURBED] ${line}` : line));
      if (verdict) console.log(`   ${verdict.line}`);
      if (mark) console.log(`   DISTURBED: figures printed because of --force; do not compare them with quiet runs`);
      summary.push(...result.summary.map((line) => `${mark ? '[DISTURBED] ' : ''}${line}`));
      disturbed ||= verdict?.disturbed ?? false;
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
if (values['cpu-prof']) {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const rounds = join(PROFILE_DIR, `rounds-${profileStamp}.json`);
  writeFileSync(rounds, JSON.stringify(ctx.roundLog, null, 1));
  const profiles = readdirSync(PROFILE_DIR).filter((f) => f.endsWith(`${profileStamp}.cpuprofile`));
  console.log(`CPU profiles: ${profiles.map((f) => join('.bench', f)).join(', ')}; measured rounds: ${join('.bench', basename(rounds))}`);
  console.log('Self time during one row\'s rounds only (start-up and other rows left out), e.g.:');
  console.log(`   npx tsx bench/profile-summary.ts .bench/${profiles.find((f) => f.startsWith('sluice')) ?? 'FILE'} ` +
    `--rounds .bench/${basename(rounds)} --row "sluice, anonymous"`);
}
if (disturbed) console.log(force ? 'DISTURBED run (--force): the figures above are not to be trusted' : 'DISTURBED run: figures withheld');
if (failed) process.exitCode = 1;
else if (disturbed) process.exitCode = 3;
