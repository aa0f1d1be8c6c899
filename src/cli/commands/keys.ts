/**
 * `sluice keys create | list | revoke`: managing access keys in the database
 * policy store (SQLite or PostgreSQL) the configuration names. Picks the subcommand and reports its
 * failures: bad usage with that subcommand's help (exit 2), setup problems
 * and configuration errors as messages (exit 1).
 */
import { EXIT_OK, UsageError, type Command } from '../command.ts';
import { createKeysCreateCommand } from './keys-create.ts';
import { createKeysListCommand } from './keys-list.ts';
import { defaultKeysDependencies, type KeysDependencies } from './keys-store.ts';
import { createKeysRevokeCommand } from './keys-revoke.ts';
import { runSubcommand } from './subcommand-group.ts';

function keysHelp(subcommands: readonly Command[]): string {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  const list = subcommands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
  return `Usage: sluice keys <create|list|revoke> --config FILE [options]

Manage access keys in the database policy store named by the configuration's
policy.sqlitePath or policy.postgresUrl; stored secrets are encrypted with
policy.masterKey.

Subcommands:
${list}

Options:
  -h, --help    show this help (or \`sluice keys <subcommand> --help\`)

Examples:
  sluice keys create --config sluice.yaml --account research --label laptop --expires 90d
  sluice keys list --config sluice.yaml --account research
  sluice keys revoke --config sluice.yaml SLAKEXAMPLEEXAMPLE23`;
}

export function createKeysCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  const subcommands = [createKeysCreateCommand(deps), createKeysListCommand(deps), createKeysRevokeCommand(deps)];
  const help = keysHelp(subcommands);
  return {
    name: 'keys',
    summary: 'create, list and revoke access keys',
    help,
    async run(args, io) {
      const [first, ...rest] = args;
      if (first === '-h' || first === '--help') {
        io.out(help);
        return EXIT_OK;
      }
      if (first === 'help') {
        const target = subcommands.find((c) => c.name === rest[0]);
        if (rest.length > 0 && !target) throw new UsageError(`unknown subcommand "${rest[0]}"`);
        io.out(target ? target.help : help);
        return EXIT_OK;
      }
      if (first === undefined) throw new UsageError('missing subcommand (create, list or revoke)');
      const subcommand = subcommands.find((c) => c.name === first);
      if (!subcommand) throw new UsageError(first.startsWith('-') ? `unknown option ${first}` : `unknown subcommand "${first}"`);
      return runSubcommand(`sluice keys ${subcommand.name}`, subcommand, rest, io);
    },
  };
}

export const keysCommand = createKeysCommand();
