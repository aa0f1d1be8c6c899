/**
 * `sluice serve --config FILE [--listen HOST:PORT]`: load the configuration,
 * start the Node server, log where it listens, and on SIGTERM/SIGINT drain
 * in-flight requests before exiting 0.
 */
import type { SluiceConfig } from '../../core/config.ts';
import { listenProblem } from '../../config/rules.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../command.ts';
import { loadConfig } from '../load-config.ts';
import { logLine, reportConfigError } from '../report.ts';

const help = `Usage: sluice serve --config FILE [--listen HOST:PORT]

Start the S3 endpoint described by a configuration file. Logs are JSON
lines on stdout. SIGTERM or SIGINT stops accepting connections, lets
in-flight requests finish (up to server.shutdownGraceSeconds) and exits 0;
a second signal exits at once.

Options:
  -c, --config FILE          configuration file (.yaml, .yml or .json)
  -l, --listen HOST:PORT     overrides server.listen; port 0 picks a free port
  -h, --help                 show this help

Exit codes: 0 stopped cleanly, 1 invalid configuration or failed start, 2 bad usage.`;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Write out request log lines the server holds back. */
  flushLog?(): void;
}

export type StartServer = (config: SluiceConfig, options?: { listen?: string }) => Promise<RunningServer>;

/** Where shutdown signals come from; `process` in production, an emitter in tests. */
export interface SignalSource {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  removeListener(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

export interface ServeDependencies {
  loadConfig: (file: string) => Promise<SluiceConfig>;
  startServer: StartServer;
  signals: SignalSource;
  /** Called when the process must end now (second signal, or draining overran its time). */
  exit: (code: number) => void;
}

/** Seconds allowed on top of the configured grace before giving up on a clean stop. */
const SHUTDOWN_MARGIN_SECONDS = 5;

const defaultDependencies: ServeDependencies = {
  loadConfig,
  // Loaded on demand so other commands do not pay for the server's modules.
  startServer: async (config, options) => (await import('../../runtimes/node/server.ts')).startServer(config, options),
  signals: process,
  exit: (code) => process.exit(code),
};

export function createServeCommand(deps: ServeDependencies = defaultDependencies): Command {
  return {
    name: 'serve',
    summary: 'start the S3 endpoint from a configuration file',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs(
        { help },
        args,
        { config: { type: 'string', short: 'c' }, listen: { type: 'string', short: 'l' } },
        io,
      );
      if (!parsed) return EXIT_OK;
      const { config: file, listen } = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (listen !== undefined) {
        const problem = listenProblem(listen);
        if (problem) throw new UsageError(`--listen ${problem}`);
      }

      let config: SluiceConfig;
      try {
        config = await deps.loadConfig(file);
      } catch (error) {
        reportConfigError(error, io);
        return EXIT_FAILURE;
      }

      let server: RunningServer;
      try {
        server = await deps.startServer(config, listen !== undefined ? { listen } : {});
      } catch (error) {
        logLine(io, 'error', 'failed to start', { error: (error as Error).message });
        return EXIT_FAILURE;
      }
      return waitForShutdown(server, config.server.shutdownGraceSeconds, deps, io);
    },
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
    logLine(io, 'info', 'listening', { url: server.url });
  });
}

export const serveCommand = createServeCommand();
