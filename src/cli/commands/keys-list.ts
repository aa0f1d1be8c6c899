/**
 * `sluice keys list`: the access keys in the database store with their
 * status, never their secrets.
 */
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { displayStatus, keyToJson, printable, shortTime, table } from './keys-format.ts';
import { withStore, type KeysDependencies } from './keys-store.ts';

const help = `Usage: sluice keys list --config FILE [--account ACCOUNT] [--json]

List the access keys in the database policy store: id, account, label,
status (active, disabled, revoked or expired), when each was created,
expires and was last used (UTC). Secrets are never shown. Keys written in
the configuration file itself are not listed: the file is their record.

Options:
  -c, --config FILE        configuration file (its policy.sqlitePath or policy.postgresUrl, and policy.masterKey)
  -a, --account ACCOUNT    only this account's keys
      --json               print a JSON array for scripts
  -h, --help               show this help

Exit codes: 0 listed, 1 failure, 2 bad usage.`;

const options = {
  config: { type: 'string', short: 'c' },
  account: { type: 'string', short: 'a' },
  json: { type: 'boolean' },
} as const;

export function createKeysListCommand(deps: KeysDependencies): Command {
  return {
    name: 'list',
    summary: 'list access keys and their status',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, options, io);
      if (!parsed) return EXIT_OK;
      const { config: file, account, json = false } = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (file === undefined) throw new UsageError('missing --config FILE');

      const config = await deps.loadConfig(file);
      // Listing must not create the database as a side effect.
      const keys = await withStore(deps, config, file, { create: false }, async (store) =>
        store ? store.listAccessKeys(account === undefined ? {} : { account }) : []);
      const now = deps.now();
      if (json) {
        io.out(JSON.stringify(keys.map((key) => keyToJson(key, now))));
        return EXIT_OK;
      }
      if (keys.length === 0) {
        io.out(account === undefined ? 'No access keys.' : `No access keys for account ${printable(account)}.`);
        return EXIT_OK;
      }
      const rows = keys.map((key) => [
        key.accessKeyId,
        printable(key.account),
        printable(key.label) || '-',
        displayStatus(key, now),
        shortTime(key.createdAt, '-'),
        shortTime(key.expiresAt, 'never'),
        shortTime(key.lastUsedAt, 'never'),
      ]);
      for (const line of table(['ID', 'ACCOUNT', 'LABEL', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'], rows)) io.out(line);
      return EXIT_OK;
    },
  };
}
