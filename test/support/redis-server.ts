/**
 * Test support: a throwaway redis-server (Debian's) on a random loopback
 * port, without persistence, in a temporary folder; `stop` ends it and
 * removes the folder. `REDIS_SKIP_REASON` is set when it is not installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freeLoopbackPort, waitFor } from './service-process.ts';

function redisBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const BINARY = redisBinary();

export const REDIS_SKIP_REASON = BINARY === undefined ? 'redis-server not found (install Debian’s redis-server package; .ci/run does)' : undefined;

export interface RedisServer {
  port: number;
  url: string;
  /** Ends the server at once (SIGKILL), as an outage would. */
  kill(): Promise<void>;
  /** Starts it again on the same port after `kill`. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** True once the server answers PING. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  if (!BINARY) throw new Error(REDIS_SKIP_REASON);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-redis-'));
  let port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  // Answering PING is not enough: another test's server may hold the port this one failed to bind.
  // Only an answer while our own process still runs counts.
  const launchOn = async (onPort: number): Promise<boolean> => {
    const started = spawn(BINARY, ['--port', String(onPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], {
      stdio: 'ignore',
    });
    child = started;
    await waitFor('redis-server to answer or exit', async () => started.exitCode !== null || (await ping(onPort)), 10_000);
    // A server that could not bind exits at once; give it that moment before trusting the answer.
    await new Promise((r) => setTimeout(r, 200));
    return started.exitCode === null;
  };
  const launch = async () => {
    if (await launchOn(port)) return;
    throw new Error(`redis-server could not start on port ${port}`);
  };
  for (let attempt = 1; !(await launchOn(port)); attempt++) {
    if (attempt === 3) throw new Error('redis-server could not start on a free port');
    port = await freeLoopbackPort();
  }
  const end = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: end,
    restart: launch,
    async stop() {
      await end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
