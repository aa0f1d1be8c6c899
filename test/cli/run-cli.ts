/**
 * Runs the `sluice` launcher as a child process, the way users do, and
 * collects its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const launcher = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

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
