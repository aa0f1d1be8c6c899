/**
 * `sluice serve --workers N`: this process supervises N workers (node:cluster)
 * that each run `sluice serve` with the same arguments and share the
 * listening port. Workers share nothing in memory: each has its own caches
 * and connections, and they agree through the policy store (and the Redis
 * tier) alone. SIGHUP is passed to every worker (each reloads itself);
 * SIGTERM/SIGINT too, and the supervisor exits once all have stopped. A
 * worker that dies unasked is replaced, at most once a second. Workers start
 * with glibc's trim threshold raised unless it is set (malloc-tuning.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../command.ts';
import { allocatorEnv } from '../../runtimes/node/malloc-tuning.ts';
import { logLine } from '../report.ts';

const RESTART_DELAY_MS = 1_000;

/** The arguments a worker runs with: the supervisor's, without `--workers N`. */
export function workerArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--workers' || arg === '-w') i++;
    else if (!arg.startsWith('--workers=')) out.push(arg);
  }
  return out;
}

export function superviseWorkers(count: number, io: CliIo): Promise<number> {
  // The launcher's own arguments: `sluice serve …` → the worker runs `serve …` without --workers.
  cluster.setupPrimary({ args: workerArgs(process.argv.slice(2)) });
  const workers = new Map<number, Worker>();
  let stopping = false;
  let failed = false;

  return new Promise((resolve) => {
    const fork = (slot: number) => {
      const worker = cluster.fork({ SLUICE_WORKER_ID: String(slot), ...allocatorEnv(process.env) });
      workers.set(slot, worker);
      worker.on('exit', (code, signal) => {
        workers.delete(slot);
        if (stopping) {
          if (code !== 0) failed = true;
          if (workers.size === 0) finish();
          return;
        }
        logLine(io, 'error', 'worker exited; starting another', { worker: slot, code, signal });
        setTimeout(() => {
          if (!stopping) fork(slot);
        }, RESTART_DELAY_MS);
      });
    };
    const finish = () => {
      process.removeListener('SIGHUP', onHangUp);
      logLine(io, 'info', 'stopped', { workers: count });
      resolve(failed ? EXIT_FAILURE : EXIT_OK);
    };
    const onStop = (signal: 'SIGTERM' | 'SIGINT') => () => {
      if (stopping) {
        // A second signal: end the workers now.
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
        return;
      }
      stopping = true;
      logLine(io, 'info', 'shutting down', { signal, workers: workers.size });
      if (workers.size === 0) return finish();
      for (const worker of workers.values()) worker.process.kill('SIGTERM');
    };
    const onHangUp = () => {
      logLine(io, 'info', 'reloading workers', { workers: workers.size });
      for (const worker of workers.values()) worker.process.kill('SIGHUP');
    };
    process.on('SIGTERM', onStop('SIGTERM'));
    process.on('SIGINT', onStop('SIGINT'));
    process.on('SIGHUP', onHangUp);
    logLine(io, 'info', 'starting workers', { workers: count, pid: process.pid });
    for (let slot = 1; slot <= count; slot++) fork(slot);
  });
}
