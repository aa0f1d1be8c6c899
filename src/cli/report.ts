/**
 * Shared output for configuration problems and structured log lines.
 */
import { ConfigError, formatConfigProblem } from '../core/errors/config-error.ts';
import type { CliIo } from './command.ts';

/** Prints every problem of a `ConfigError`, one per line; rethrows anything else. */
export function reportConfigError(error: unknown, io: CliIo): void {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) io.err(formatConfigProblem(problem));
  const count = error.problems.length;
  io.err(`${count} problem${count === 1 ? '' : 's'} found`);
}

/** One structured JSON log line, like the server's own logs. */
export function logLine(io: CliIo, level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') io.err(line);
  else io.out(line);
}
