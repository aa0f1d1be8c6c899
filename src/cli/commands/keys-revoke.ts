/**
 * `sluice keys revoke`: marks an access key revoked. A running server
 * refuses it once its policy cache expires (policy.cacheTtlSeconds), or at
 * once on PostgreSQL, which announces the change.
 */
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { printable, takesEffect } from './keys-format.ts';
import { withStore, type KeysDependencies } from './keys-store.ts';
import { audit } from '../audit.ts';

const help = `Usage: sluice keys revoke --config FILE ID

Revoke an access key in the database policy store. Revocation is final: to
let a client in again, create a new key. A running server refuses the key
within policy.cacheTtlSeconds (30 seconds by default; with policy.postgresUrl,
at once).

Arguments:
  ID                       the access key id (as \`sluice keys list\` shows it)

Options:
  -c, --config FILE        configuration file (its policy.sqlitePath or policy.postgresUrl, and policy.masterKey)
  -h, --help               show this help

Exit codes: 0 revoked (or already revoked), 1 no such key or failure, 2 bad usage.`;

export function createKeysRevokeCommand(deps: KeysDependencies): Command {
  return {
    name: 'revoke',
    summary: 'revoke an access key',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { config: { type: 'string', short: 'c' } }, io);
      if (!parsed) return EXIT_OK;
      const file = parsed.values.config;
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (parsed.positionals.length === 0) throw new UsageError('missing the access key ID');
      if (parsed.positionals.length > 1) throw new UsageError('expected exactly one access key ID');
      const id = parsed.positionals[0]!;

      const config = await deps.loadConfig(file);
      if (config.accessKeys.some((key) => key.accessKeyId === id)) {
        io.err(`sluice keys revoke: access key ${printable(id)} is defined in ${file}; remove it there (or set disabled: true)`);
        return EXIT_FAILURE;
      }
      const outcome = await withStore(deps, config, file, { create: false }, async (store) => {
        const before = await store?.getAccessKeySummary(id);
        if (!store || !before) return undefined;
        await store.revokeAccessKey(id);
        return { before, after: (await store.getAccessKeySummary(id))! };
      });
      if (!outcome) {
        io.err(`sluice keys revoke: no access key ${printable(id)} in ${config.policy.sqlitePath ?? 'the PostgreSQL policy database'}`);
        return EXIT_FAILURE;
      }
      const { before, after } = outcome;
      const who = `account ${printable(before.account)}${before.label ? `, ${printable(before.label)}` : ''}`;
      if (before.revokedAt) {
        io.out(`Access key ${id} (${who}) was already revoked on ${before.revokedAt.toISOString()}.`);
      } else {
        audit(io, 'access-key.revoked', { accessKeyId: id, account: before.account });
        io.out(`Revoked access key ${id} (${who}) at ${after.revokedAt?.toISOString()}.`);
        io.out(`A running server refuses it ${takesEffect(config.policy)}.`);
      }
      return EXIT_OK;
    },
  };
}
