/**
 * `sluice serve --config FILE [--listen HOST:PORT] [--workers N]`: load the
 * configuration, start the Node server, log where it listens, on SIGHUP
 * re-read and swap in the configuration (an invalid one is logged and the
 * running one kept), and on SIGTERM/SIGINT drain in-flight requests before
 * exiting 0. With `--workers N` this process only supervises N worker
 * processes (serve-workers.ts) that each do all of that.
 */
import type { SluiceConfig } from '../../core/config.ts';
import { listenProblem } from '../../config/rules.ts';
import { ConfigError, formatConfigProblem } from '../../core/errors/config-error.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../command.ts';
import { allocatorAdvice } from '../../runtimes/node/malloc-tuning.ts';
import { loadConfig } from '../load-config.ts';
import { logLine, reportConfigError } from '../report.ts';

const help = `Usage: sluice serve --config FILE [--listen HOST:PORT] [--workers N]

Start the S3 endpoint described by a configuration file. Logs are JSON
lines on stdout. SIGTERM or SIGINT stops accepting connections, lets
in-flight requests finish (up to server.shutdownGraceSeconds) and exits 0;
a second signal exits at once. SIGHUP re-reads the configuration file and
serves it from the next request on, without dropping connections; an
invalid file is logged and the running configuration kept (the listen
address and connection limits need a restart).

Options:
  -c, --config FILE          configuration file (.yaml, .yml or .json)
  -l, --listen HOST:PORT     overrides server.listen; port 0 picks a free port
  -w, --workers N            run N worker processes sharing the port (1 to 64);
                             they share nothing but the policy store and cache
  -h, --help                 show this help

Exit codes: 0 stopped cleanly, 1 invalid configuration or failed start, 2 bad usage.`;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Write out request log lines the server holds back. */
  flushLog?(): void;
  /** Serve a new configuration from the next request on. */
  reload?(config: SluiceConfig): Promise<void>;
}

export type StartServer = (config: SluiceConfig, options?: { listen?: string }) => Promise<RunningServer>;

/** Where shutdown and reload signals come from; `process` in production, an emitter in tests. */
export interface SignalSource {
  once(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', listener: () => void): unknown;
  removeListener(signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', listener: () => void): unknown;
}

export interface ServeDependencies {
  loadConfig: (file: string) => Promise<SluiceConfig>;
  startServer: StartServer;
  signals: SignalSource;
  /** Called when the process must end now (second signal, or draining overran its time). */
  exit: (code: number) => void;
  /** Runs N worker processes instead of serving here (node:cluster); resolves to the exit code. */
  runWorkers?: (workers: number, io: CliIo) => Promise<number>;
  /** Fields added to this process's log lines (a worker's id). */
  logFields?: Record<string, unknown>;
  /** Called once the server has stopped (a worker lets go of its supervisor's channel, so it can exit). */
  afterStop?: () => void;
  /** A hint about the process's allocator settings worth logging at start, if any (malloc-tuning.ts). */
  allocatorAdvice?: () => string | undefined;
}

/** Seconds allowed on top of the configured grace before giving up on a clean stop. */
const SHUTDOWN_MARGIN_SECONDS = 5;

const defaultDependencies: ServeDependencies = {
  loadConfig,
  // Loaded on demand so other commands do not pay for the server's modules.
  startServer: async (config, options) => (await import('../../runtimes/node/server.ts')).startServer(config, options),
  signals: process,
  exit: (code) => process.exit(code),
  runWorkers: async (workers, io) => (await import('./serve-workers.ts')).superviseWorkers(workers, io),
  allocatorAdvice: () => allocatorAdvice(process.env, process.platform),
  ...(process.env.SLUICE_WORKER_ID !== undefined && {
    logFields: { worker: Number(process.env.SLUICE_WORKER_ID), pid: process.pid },
    afterStop: () => process.disconnect?.(),
  }),
};

const MAX_WORKERS = 64;

export function createServeCommand(deps: ServeDependencies = defaultDependencies): Command {
  return {
    name: 'serve',
    summary: 'start the S3 endpoint from a configuration file',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs(
        { help },
        args,
        { config: { type: 'string', short: 'c' }, listen: { type: 'string', short: 'l' }, workers: { type: 'string', short: 'w' } },
        io,
      );
      if (!parsed) return EXIT_OK;
      const { config: file, listen, workers } = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (listen !== undefined) {
        const problem = listenProblem(listen);
        if (problem) throw new UsageError(`--listen ${problem}`);
      }
      if (workers !== undefined) {
        if (!/^\d+$/.test(workers) || Number(workers) < 1 || Number(workers) > MAX_WORKERS) {
          throw new UsageError(`--workers must be a whole number from 1 to ${MAX_WORKERS}`);
        }
      }

      let config: SluiceConfig;
      try {
        config = await deps.loadConfig(file);
      } catch (error) {
        reportConfigError(error, io);
        return EXIT_FAILURE;
      }

      // The supervisor checks the configuration first, so a bad file fails once, not in every worker.
      if (workers !== undefined && deps.runWorkers) return deps.runWorkers(Number(workers), io);
      const advice = deps.allocatorAdvice?.();
      if (advice) logLine(io, 'warn', advice, deps.logFields);

      let server: RunningServer;
      try {
        server = await deps.startServer(config, listen !== undefined ? { listen } : {});
      } catch (error) {
        logLine(io, 'error', 'failed to start', { error: (error as Error).message });
        return EXIT_FAILURE;
      }
      const stopReloading = reloadOnHangUp(server, file, deps, io);
      const code = await waitForShutdown(server, config.server.shutdownGraceSeconds, deps, io);
      stopReloading();
      deps.afterStop?.();
      return code;
    },
  };
}

/** On each SIGHUP: load and validate the file again, and swap it in; keep the running one when it fails. */
function reloadOnHangUp(server: RunningServer, file: string, deps: ServeDependencies, io: CliIo): () => void {
  let stopped = false;
  let reloading = Promise.resolve();
  const fields = deps.logFields ?? {};
  const onHangUp = () => {
    if (stopped) return;
    deps.signals.once('SIGHUP', onHangUp);
    reloading = reloading.then(async () => {
      server.flushLog?.();
      let next: SluiceConfig;
      try {
        next = await deps.loadConfig(file);
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems.map(formatConfigProblem) : [(error as Error).message];
        logLine(io, 'error', 'reload refused: the configuration is invalid; keeping the running one', { ...fields, problems });
        return;
      }
      try {
        if (!server.reload) throw new Error('this server cannot reload');
        await server.reload(next);
        logLine(io, 'info', 'reloaded', { ...fields });
      } catch (error) {
        logLine(io, 'error', 'reload failed; keeping the running configuration', { ...fields, error: (error as Error).message });
      }
    });
  };
  deps.signals.once('SIGHUP', onHangUp);
  return () => {
    stopped = true;
    deps.signals.removeListener('SIGHUP', onHangUp);
  };
}

function waitForShutdown(server: RunningServer, graceSeconds: number, deps: ServeDependencies, io: CliIo): Promise<number> {
  // The server batches its request log; write that out first so lines stay in order.
  const log = (...args: Parameters<typeof logLine>) => {
    server.flushLog?.();
    logLine(...args);
  };
  return new Promise((resolve) => {
    const onSignal = (signal: 'SIGTERM' | 'SIGINT') => () => {
      deps.signals.removeListener('SIGTERM', onTerm);
      deps.signals.removeListener('SIGINT', onInt);
      log(io, 'info', 'shutting down', { signal });
      // A second signal means "now": do not wait for slow clients.
      const force = () => {
        log(io, 'error', 'forced exit before in-flight requests finished');
        deps.exit(EXIT_FAILURE);
      };
      deps.signals.once('SIGTERM', force);
      deps.signals.once('SIGINT', force);
      const watchdog = setTimeout(() => {
        log(io, 'error', 'shutdown took too long', { seconds: graceSeconds + SHUTDOWN_MARGIN_SECONDS });
        deps.exit(EXIT_FAILURE);
      }, (graceSeconds + SHUTDOWN_MARGIN_SECONDS) * 1000);
      const settle = (code: number) => {
        clearTimeout(watchdog);
        deps.signals.removeListener('SIGTERM', force);
        deps.signals.removeListener('SIGINT', force);
        resolve(code);
      };
      server.close().then(
        () => {
          log(io, 'info', 'stopped');
          settle(EXIT_OK);
        },
        (error: unknown) => {
          log(io, 'error', 'shutdown failed', { error: (error as Error).message });
          settle(EXIT_FAILURE);
        },
      );
    };
    const onTerm = onSignal('SIGTERM');
    const onInt = onSignal('SIGINT');
    deps.signals.once('SIGTERM', onTerm);
    deps.signals.once('SIGINT', onInt);
    // Announced only once the handlers are in place: whoever waits for this line may signal at once.
    logLine(io, 'info', 'listening', { url: server.url, ...deps.logFields });
  });
}

export const serveCommand = createServeCommand();
