/**
 * The `sluice` command line: picks the subcommand, handles root `--help` and
 * `--version`, and maps failures to exit codes (1 failure, 2 bad usage).
 * A command's module is imported only when that command runs (or its help
 * is asked for), so the root help starts without loading any of them.
 * Run through `bin/sluice.js` (the compiled build), or from the sources with
 * `tsx src/cli/main.ts …`.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type CommandEntry } from './command.ts';
import { commands as defaultCommands } from './commands/index.ts';
import { packageVersion } from './version.ts';

function rootHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
  return `Usage: sluice <command> [options]

Sluice: an S3-compatible endpoint over many object stores.

Commands:
${list}

Options:
  -h, --help       show this help (or \`sluice <command> --help\`)
  -v, --version    print the version

Examples:
  sluice serve --config examples/sluice.yaml
  sluice validate-config sluice.yaml`;
}

export async function main(argv: string[], io: CliIo, commands: readonly CommandEntry[] = defaultCommands): Promise<number> {
  const [first, ...rest] = argv;
  const usageError = (message: string, help: string, prefix = 'sluice'): number => {
    io.err(`${prefix}: ${message}`);
    io.err('');
    io.err(help);
    return EXIT_USAGE;
  };

  if (first === undefined) return usageError('missing command', rootHelp(commands));
  if (first === '-h' || first === '--help') {
    io.out(rootHelp(commands));
    return EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    io.out(packageVersion());
    return EXIT_OK;
  }

  // `sluice help [command]` reads naturally too.
  if (first === 'help') {
    if (rest.length === 0) {
      io.out(rootHelp(commands));
      return EXIT_OK;
    }
    const target = commands.find((c) => c.name === rest[0]);
    if (!target) return usageError(`unknown command "${rest[0]}"`, rootHelp(commands));
    io.out((await target.load()).help);
    return EXIT_OK;
  }

  if (first.startsWith('-')) return usageError(`unknown option ${first}`, rootHelp(commands));
  const entry = commands.find((c) => c.name === first);
  if (!entry) return usageError(`unknown command "${first}"`, rootHelp(commands));
  const command = await entry.load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, command.help, `sluice ${command.name}`);
    throw error;
  }
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Entry point for launchers: runs `main` and sets the exit code. */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv, processIo);
  } catch (error) {
    process.stderr.write(`sluice: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}

function isEntryModule(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryModule()) await run(process.argv.slice(2));
