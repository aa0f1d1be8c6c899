/**
 * A command made of subcommands (`sluice roles put|list|…`): picks the
 * subcommand and reports its failures — bad usage with that subcommand's
 * help (exit 2), setup problems and configuration errors as messages (exit 1).
 */
import { ConfigError } from '../../core/errors/config-error.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from '../command.ts';
import { reportConfigError } from '../report.ts';
import { KeysSetupError } from './keys-store.ts';

export function subcommandGroup(name: string, summary: string, intro: string, examples: string, subcommands: readonly Command[]): Command {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  const list = subcommands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
  const help = `Usage: sluice ${name} <${subcommands.map((c) => c.name).join('|')}> [options]

${intro}

Subcommands:
${list}

Options:
  -h, --help    show this help (or \`sluice ${name} <subcommand> --help\`)

Examples:
${examples}`;
  return {
    name,
    summary,
    help,
    async run(args, io) {
      const [first, ...rest] = args;
      if (first === '-h' || first === '--help') {
        io.out(help);
        return EXIT_OK;
      }
      if (first === undefined) throw new UsageError(`missing subcommand (${subcommands.map((c) => c.name).join(', ')})`);
      const subcommand = subcommands.find((c) => c.name === first);
      if (!subcommand) throw new UsageError(first.startsWith('-') ? `unknown option ${first}` : `unknown subcommand "${first}"`);
      return runSubcommand(`sluice ${name} ${subcommand.name}`, subcommand, rest, io);
    },
  };
}

/** Run one subcommand, reporting its failures under `prefix` (e.g. `sluice keys create`). */
export async function runSubcommand(prefix: string, subcommand: Command, args: string[], io: CliIo): Promise<number> {
  try {
    return await subcommand.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${prefix}: ${error.message}`);
      io.err('');
      io.err(subcommand.help);
      return EXIT_USAGE;
    }
    if (error instanceof KeysSetupError) {
      io.err(`${prefix}: ${error.message}`);
      return EXIT_FAILURE;
    }
    if (error instanceof ConfigError) {
      reportConfigError(error, io);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
