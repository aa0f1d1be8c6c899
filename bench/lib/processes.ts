/**
 * Server processes for the benchmarks: started pinned to one CPU with
 * `taskset`, stdout discarded (so access logging costs what it costs when
 * logs go to a file or pipe that keeps up), and watched through
 * `/proc/PID/status` for memory.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { allocatorEnv } from '../../src/runtimes/node/malloc-tuning.ts';

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** CPUs the machine offers, and whether pinning (server on one, load on the other) is possible. */
export function cpuLayout(): { cpus: number; pinned: boolean } {
  let cpus = 1;
  try {
    cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1;
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return { cpus, pinned: false };
  }
  return { cpus, pinned: cpus >= 2 };
}

/** Move every thread of a process (this one, by default) onto one CPU. */
export function pinProcess(cpu: number, pid = process.pid): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** A free loopback port (bound and released; nothing else on this machine races for it in practice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  name: string;
  command: string;
  /** Arguments; `{listen}` is replaced by the chosen `127.0.0.1:PORT`. */
  args: string[];
  /** CPU to pin to, or undefined to leave scheduling alone. */
  cpu: number | undefined;
  /** A path that answers once the server is up. */
  readyPath: string;
  cwd?: string;
  /** Called with the chosen `127.0.0.1:PORT` before the process starts (to write a config file that names it). */
  prepare?: (listen: string) => void;
}

export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  options.prepare?.(listen);
  const args = options.args.map((arg) => arg.replaceAll('{listen}', listen));
  const [command, argv] = options.cpu === undefined
    ? [options.command, args]
    : ['taskset', ['-c', String(options.cpu), options.command, ...args]];
  // taskset execs the command, so the child's pid is the server's own.
  // Every server gets the allocator setting Sluice's deployment docs prescribe, baselines alike.
  const env = { ...process.env, ...allocatorEnv(process.env) };
  const child = spawn(command, argv, { cwd: options.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://${listen}`;
  try {
    await waitUntilAnswering(`${url}${options.readyPath}`, child, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    name: options.name,
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const status = await getStatus(url).catch(() => 0);
    if (status > 0) return;
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Status and body length of one GET (or HEAD), fully read. */
export function fetchOnce(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes, headers: res.headers }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

function getStatus(url: string): Promise<number> {
  return fetchOnce(url).then((r) => r.status);
}

export interface MemoryStatus {
  /** Resident set size now, KiB. */
  rssKiB: number;
  /** Peak resident set size since the process started, KiB. */
  hwmKiB: number;
}

export function readMemoryStatus(pid: number): MemoryStatus {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Units of the CPU times in /proc/PID/stat and /proc/stat. */
export const clockTicksPerSecond = () => CLOCK_TICKS_PER_SECOND;

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
