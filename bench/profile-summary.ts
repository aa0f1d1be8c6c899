/**
 * Summarise a V8 CPU profile (`node --cpu-prof`, as `npm run bench --
 * --cpu-prof` writes into .bench/): the functions, or files, with the most
 * self time, as a share of the time the process was not idle. With the run's
 * rounds file and a row label, only samples taken while that row was
 * measured count, leaving out start-up, warm-up and the other rows.
 *
 *   npx tsx bench/profile-summary.ts .bench/sluice-tile64-….cpuprofile [--top 10] [--by function|file]
 *       [--rounds .bench/rounds-….json --row "sluice, anonymous"]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  /** Monotonic clock, µs. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time spans (monotonic µs) to keep samples from; all when absent. */
export type Spans = ReadonlyArray<{ startUs: number; endUs: number }>;

export interface SelfTime {
  name: string;
  microseconds: number;
  /** Share of the non-idle time. */
  share: number;
}

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** `src/core/x.ts`, `node_modules/pkg/…`, `node:internal/…`, or `(garbage collector)`. */
function where(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') return '';
  return url.startsWith(REPO) ? url.slice(REPO.length) : url;
}

export function selfTimes(
  profile: CpuProfile,
  by: 'function' | 'file',
  spans?: Spans,
): { items: SelfTime[]; busyMicroseconds: number; idleMicroseconds: number } {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  let at = profile.startTime;
  // Sample i is taken timeDeltas[i] after the one before, and lasts until the next.
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (spans && !spans.some((s) => at >= s.startUs && at < s.endUs)) continue;
    const frame = frames.get(profile.samples[i]!)!;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const file = where(frame);
    const name = by === 'file'
      ? file || frame.functionName
      : `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    totals.set(name, (totals.get(name) ?? 0) + us);
  }
  const items = [...totals]
    .map(([name, microseconds]) => ({ name, microseconds, share: busy > 0 ? microseconds / busy : 0 }))
    .sort((a, b) => b.microseconds - a.microseconds);
  return { items, busyMicroseconds: busy, idleMicroseconds: idle };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '15' },
      by: { type: 'string', default: 'function' },
      rounds: { type: 'string' },
      row: { type: 'string' },
    },
  });
  if (positionals.length !== 1 || (values.by !== 'function' && values.by !== 'file') || !values.rounds !== !values.row) {
    throw new TypeError('usage: profile-summary FILE.cpuprofile [--top N] [--by function|file] [--rounds FILE --row LABEL]');
  }
  const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
  let spans: Spans | undefined;
  if (values.rounds && values.row) {
    const rounds = JSON.parse(readFileSync(values.rounds, 'utf8')) as Array<{ label: string; startUs: number; endUs: number }>;
    spans = rounds.filter((r) => r.label.includes(values.row!));
    if (spans.length === 0) throw new TypeError(`no round labelled like "${values.row}" in ${values.rounds}`);
  }
  const { items, busyMicroseconds, idleMicroseconds } = selfTimes(profile, values.by, spans);
  console.log(`${positionals[0]}${values.row ? `, rounds of "${values.row}"` : ''}: ` +
    `${(busyMicroseconds / 1e3).toFixed(0)} ms busy, ${(idleMicroseconds / 1e3).toFixed(0)} ms idle; ` +
    `top ${values.top} by self time (share of busy time):`);
  for (const item of items.slice(0, Number(values.top))) {
    console.log(`  ${(item.share * 100).toFixed(1).padStart(5)} %  ${(item.microseconds / 1e3).toFixed(1).padStart(8)} ms  ${item.name}`);
  }
}
