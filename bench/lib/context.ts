/**
 * What every benchmark section shares: the data set, where servers and load
 * run, how long to measure, and how to start each kind of server.
 */
import { fileURLToPath } from 'node:url';
import type { DataSet } from './data.ts';
import type { WindowReport } from './machine.ts';
import { fetchOnce, type ServerProcess, spawnServer } from './processes.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchContext {
  data: DataSet;
  /** CPU for servers and for the load generator; undefined when pinning is unavailable. */
  serverCpu: number | undefined;
  loadCpu: number | undefined;
  warmupSeconds: number;
  /** Measurements alternate between the servers compared, round by round, so drifting background load hits all alike. */
  rounds: number;
  roundSeconds: number;
  /** Every server started, so the run can stop them all whatever happens. */
  running: Set<ServerProcess>;
  /** What the whole machine did during each measured round of the current section. */
  windows: Array<WindowReport & { label: string }>;
  /** When each measured round ran (monotonic clock, µs: the clock of V8's CPU profiles), to cut profiles by row. */
  roundLog: Array<{ label: string; server: string; startUs: number; endUs: number }>;
  /** Node flags that start a server under the CPU profiler, for servers started with `profile`. */
  profileArgs: (name: string) => string[];
  proxy: {
    /** `auto` (nginx when installed), `nginx` or `node`. */
    origin: string;
    workloads: Array<'small' | 'tile64' | 'tile16' | 'large'>;
    /** Start Sluice and the pass-through under `node --cpu-prof`. */
    profile: boolean;
  };
  /** The cache section's store: `s3rver` (an S3 implementation, the default) or `nginx` (the proxy section's origin). */
  cacheStore: string;
}

async function started(ctx: BenchContext, server: Promise<ServerProcess>): Promise<ServerProcess> {
  const s = await server;
  ctx.running.add(s);
  const stop = s.stop;
  s.stop = async () => {
    ctx.running.delete(s);
    await stop();
  };
  return s;
}

/**
 * `sluice serve` exactly as shipped, through its public entry point
 * (`bin/sluice.js`), stdout (the access log) to /dev/null.
 */
export function startSluice(ctx: BenchContext, config: string, name: string, profile = false): Promise<ServerProcess> {
  return started(ctx, spawnServer({
    name,
    command: process.execPath,
    args: [...(profile ? ctx.profileArgs(name) : []), 'bin/sluice.js', 'serve', '--config', config, '--listen', '{listen}'],
    cpu: ctx.serverCpu,
    readyPath: '/.health',
    cwd: REPO,
  }));
}

/** Any benchmark server script under bench/servers, run through tsx. */
export function startBenchServer(ctx: BenchContext, name: string, script: string, args: string[], profile = false): Promise<ServerProcess> {
  return started(ctx, spawnServer({
    name,
    command: process.execPath,
    args: [...(profile ? ctx.profileArgs(name) : []), '--import', 'tsx', `bench/servers/${script}`, ...args, '--listen', '{listen}'],
    cpu: ctx.serverCpu,
    readyPath: '/',
    cwd: REPO,
  }));
}

/** A server that is not Node (nginx), pinned like the others or to the CPU given. */
export function startExternal(
  ctx: BenchContext,
  options: { name: string; command: string; args: string[]; cpu: number | undefined; prepare?: (listen: string) => void },
): Promise<ServerProcess> {
  return started(ctx, spawnServer({ ...options, readyPath: '/', cwd: REPO }));
}

export function startBaseline(ctx: BenchContext): Promise<ServerProcess> {
  return started(ctx, spawnServer({
    name: 'baseline',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/servers/baseline-server.ts', '--root', ctx.data.root, '--listen', '{listen}'],
    cpu: ctx.serverCpu,
    readyPath: '/',
    cwd: REPO,
  }));
}

export function startSigned(ctx: BenchContext, crypto: 'web' | 'node'): Promise<ServerProcess> {
  return started(ctx, spawnServer({
    name: `sluice+sigv4 (${crypto})`,
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/servers/signed-server.ts', '--config', ctx.data.defaultConfig, '--listen', '{listen}', '--crypto', crypto],
    cpu: ctx.serverCpu,
    readyPath: '/.health',
    cwd: REPO,
  }));
}

/** Fail loudly, before measuring, if a server does not serve what the load will ask for. */
export async function expectServes(url: string, expectedBytes: number, headers?: Record<string, string>, expectedStatus = 200): Promise<void> {
  const result = await fetchOnce(url, 'GET', headers);
  if (result.status !== expectedStatus || result.bytes !== expectedBytes) {
    throw new Error(`GET ${url} answered ${result.status} with ${result.bytes} bytes; expected ${expectedStatus} with ${expectedBytes}`);
  }
}
