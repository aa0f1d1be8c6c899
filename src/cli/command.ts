/**
 * What every `sluice` subcommand provides, plus argument parsing on top of
 * `node:util` parseArgs that turns its errors into usage errors (exit 2)
 * and handles `--help` uniformly.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where commands write; lines get their newline added. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  name: string;
  /** One line for the root help's command list. */
  summary: string;
  /** Full help text, starting with a `Usage:` line. */
  help: string;
  /** Resolves to the process exit code. Throws `UsageError` for bad arguments. */
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * A command as the root help lists it. `load` imports the command's module,
 * so a command's code, and everything it needs, loads only when it runs.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** The entry for a command already loaded (tests, or a command built in code). */
export function loadedEntry(command: Command): CommandEntry {
  return { name: command.name, summary: command.summary, load: async () => command };
}

/** Bad command-line usage: reported with the usage text and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

export type ParsedArgs<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/**
 * Parse a command's arguments; `-h`/`--help` is added to every command.
 * Returns undefined when help was asked for (already printed).
 */
export function parseCommandArgs<O extends Options>(
  command: Pick<Command, 'help'>,
  args: string[],
  options: O,
  io: CliIo,
): ParsedArgs<O & { help: { type: 'boolean'; short: 'h' } }> | undefined {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } };
  let parsed;
  try {
    parsed = parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(command.help);
    return undefined;
  }
  return parsed;
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return quoted && message.includes('argument missing')
        ? `option ${quoted.replace(/ <value>$/, '')} needs a value`
        : message;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? ''}`.trim();
    default:
      return message;
  }
}
