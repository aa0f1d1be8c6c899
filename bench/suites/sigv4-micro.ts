/**
 * 5. The cost of one SigV4 verification, in its own process pinned to the
 * server CPU (the conditions a server verifies under), via the standalone
 * `bench/sigv4-verify.ts`.
 */
import { execFile } from 'node:child_process';
import { type BenchContext, REPO } from '../lib/context.ts';
import { formatSigV4, type SigV4Figures } from '../sigv4-verify.ts';
import type { SectionResult } from './section.ts';

export async function sigv4Micro(ctx: BenchContext): Promise<SectionResult> {
  const args = ['--import', 'tsx', 'bench/sigv4-verify.ts', '--json'];
  const [command, argv] = ctx.serverCpu === undefined
    ? [process.execPath, args]
    : ['taskset', ['-c', String(ctx.serverCpu), process.execPath, ...args]];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(command, argv, { cwd: REPO, encoding: 'utf8', timeout: 120_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out));
  });
  const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as SigV4Figures;
  const lines = formatSigV4(figures);
  const warm = (name: string) => figures.verify.find((r) => r.crypto === name && r.keyCache === 'warm')!.microseconds;
  return {
    lines: [`5. ${lines[0]}`, ...lines.slice(1).map((line) => ` ${line}`)],
    summary: [
      `SigV4 verify, key cache warm:     WebCrypto ${warm('WebCrypto').toFixed(1)} µs, node:crypto ${warm('node:crypto').toFixed(1)} µs ` +
        `(×${(warm('WebCrypto') / warm('node:crypto')).toFixed(2)} faster)`,
    ],
  };
}
