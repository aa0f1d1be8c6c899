/**
 * 7. STS: exchanges per second with a warm JWKS, and 4 KiB GETs with session
 * credentials against an access key, in their own process pinned to the
 * server CPU, via the standalone `bench/sts-exchange.ts`.
 */
import { execFile } from 'node:child_process';
import { type BenchContext, REPO } from '../lib/context.ts';
import { type StsFigures, formatSts } from '../sts-exchange.ts';
import type { SectionResult } from './section.ts';

export async function stsExchange(ctx: BenchContext): Promise<SectionResult> {
  const args = ['--import', 'tsx', 'bench/sts-exchange.ts', '--json', '--seconds', String(ctx.rounds * ctx.roundSeconds)];
  const [command, argv] = ctx.serverCpu === undefined
    ? [process.execPath, args]
    : ['taskset', ['-c', String(ctx.serverCpu), process.execPath, ...args]];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(command, argv, { cwd: REPO, encoding: 'utf8', timeout: 300_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out));
  });
  const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as StsFigures;
  const lines = formatSts(figures);
  const key = figures.get.find((g) => g.label === 'access key')!;
  const session = figures.get.find((g) => g.label === 'session credentials')!;
  return {
    lines: [`7. ${lines[0]}`, ...lines.slice(1)],
    summary: [
      `STS exchanges/s (warm JWKS, one core): ${figures.exchangesPerSecond.toFixed(0)} (target ≥ 1,000)`,
      `4 KiB GET session/access key req/s (in process): ×${(session.requestsPerSecond / key.requestsPerSecond).toFixed(2)}`,
    ],
  };
}
