/**
 * Runs the `sluice` launcher as a child process, the way users do, and
 * collects its exit code and output. The launcher runs the compiled build in
 * `dist/` (`npm test` builds it first); a build that is missing or older than
 * a source module fails here with how to fix it, instead of testing old code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const launcher = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** Throws unless `dist/` was built after the last change to a module under `src/`. */
export function assertBuildIsCurrent(root = repoRoot): void {
  const built = join(root, 'dist', 'cli', 'main.js');
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error(`${built} is missing: run \`npm run build\` before the tests that start the sluice command`);
  }
  const sources = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.test(-helper)?\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
  const newer = sources.filter((file) => statSync(file).mtimeMs > builtAt);
  if (newer.length > 0) {
    throw new Error(`dist/ is older than ${newer.length} source module(s), e.g. ${newer[0]}: run \`npm run build\``);
  }
}

assertBuildIsCurrent();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, [launcher, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `sluice serve --config FILE` on a free port, resolved once it logs where it listens. */
export async function serveCli(configPath: string, env: Record<string, string | undefined> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawnCli(['serve', '--config', configPath, '--listen', '127.0.0.1:0'], env);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /"msg":"listening","url":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`sluice serve exited before listening: ${err}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
