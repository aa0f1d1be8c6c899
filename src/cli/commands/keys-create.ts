/**
 * `sluice keys create`: a new access key for an account, printed once with
 * its secret (human-readable, or JSON for scripts).
 */
import { UnknownAccountError } from '../../policy/sql/errors.ts';
import { EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../command.ts';
import { describeCeiling, keyLimitsFromFlags, keyToJson, printable } from './keys-format.ts';
import { KeysSetupError, withStore, type KeysDependencies } from './keys-store.ts';
import { audit } from '../audit.ts';

const help = `Usage: sluice keys create --config FILE --account ACCOUNT --label LABEL [options]

Create an access key for an account and print its id and secret. The secret
is shown only this once: Sluice keeps it encrypted with policy.masterKey and
cannot show it again.

Options:
  -c, --config FILE        configuration file (its policy.sqlitePath or policy.postgresUrl, and policy.masterKey)
  -a, --account ACCOUNT    the account the key acts for, defined in the file or the store
  -l, --label LABEL        what the key is for, shown by \`sluice keys list\`
      --expires WHEN       a lifetime (12h, 90d, 6w, 1y), a date (2027-01-01, midnight UTC)
                           or an ISO time with a zone; without it the key does not expire
      --prefix PREFIX      allow only object keys under PREFIX, in any bucket (repeatable)
      --read-only          allow only reads
      --json               print JSON for scripts
  -h, --help               show this help

A key never does more than its account's grants allow; --prefix and
--read-only narrow it further (its ceiling).

Exit codes: 0 created, 1 failure (no store configured, unknown account), 2 bad usage.`;

const options = {
  config: { type: 'string', short: 'c' },
  account: { type: 'string', short: 'a' },
  label: { type: 'string', short: 'l' },
  expires: { type: 'string' },
  prefix: { type: 'string', multiple: true },
  'read-only': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function createKeysCreateCommand(deps: KeysDependencies): Command {
  return {
    name: 'create',
    summary: 'create an access key and print its secret once',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, options, io);
      if (!parsed) return EXIT_OK;
      const { config: file, account, label, expires, prefix = [], 'read-only': readOnly = false, json = false } = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (account === undefined || account === '') throw new UsageError('missing --account ACCOUNT');
      if (label === undefined) throw new UsageError('missing --label LABEL');
      const now = deps.now();
      const { expiresAt, ceiling } = keyLimitsFromFlags({ expires, prefixes: prefix, readOnly }, now);

      const config = await deps.loadConfig(file);
      const unknownAccount = () => new KeysSetupError(`no account named "${account}" in ${file} or the policy store`);
      // A database that does not exist yet holds no accounts: for an account
      // the file does not define either, fail without creating one.
      const inFile = config.accounts.some((a) => a.name === account);
      const created = await withStore(deps, config, file, { create: inFile }, async (store) => {
        if (!store) throw unknownAccount();
        try {
          return await store.createAccessKey({ account, label, expiresAt, ceiling });
        } catch (error) {
          if (error instanceof UnknownAccountError) throw unknownAccount();
          throw error;
        }
      });
      audit(io, 'access-key.created', { accessKeyId: created.accessKeyId, account, label }, now);
      if (json) {
        const { accessKeyId, secretAccessKey, record } = created;
        const { status: _status, lastUsedAt: _lastUsed, revokedAt: _revoked, ...rest } = keyToJson(record, now);
        io.out(JSON.stringify({ accessKeyId, secretAccessKey, ...rest }));
      } else {
        printCreated(io, created.accessKeyId, created.secretAccessKey, account, label, expiresAt, describeCeiling(ceiling));
      }
      return EXIT_OK;
    },
  };
}

function printCreated(io: CliIo, id: string, secret: string, account: string, label: string, expiresAt: Date | undefined, ceiling: string): void {
  io.out(`Created an access key for account ${printable(account)}${label ? ` (${printable(label)})` : ''}.`);
  io.out('');
  io.out(`  Access key id       ${id}`);
  io.out(`  Secret access key   ${secret}`);
  io.out(`  Expires             ${expiresAt ? expiresAt.toISOString() : 'never'}`);
  io.out(`  Ceiling             ${ceiling}`);
  io.out('');
  io.out('The secret is shown only now: store it safely. Sluice cannot show it again.');
}
