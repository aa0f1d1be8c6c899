/**
 * `sluice accounts set | list`: accounts held in the database policy store,
 * and whether each may create buckets (CreateBucket) — on which connection,
 * under which prefix template. Accounts the configuration file defines are
 * managed there (`accounts.<name>.createBuckets`), so `set` refuses them.
 */
import { bucketPrefixTemplateProblem, DEFAULT_BUCKET_PREFIX_TEMPLATE } from '../../config/bucket-prefix-template.ts';
import { checkAccountName } from '../../policy/sql/rows.ts';
import { hasBucketCreation, type BucketCreationSettings } from '../../policy/store.ts';
import { audit } from '../audit.ts';
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies, type ManagedKeyStore } from './keys-store.ts';
import { subcommandGroup } from './subcommand-group.ts';

function creationStore(store: ManagedKeyStore | null) {
  if (!store || !hasBucketCreation(store)) {
    throw new KeysSetupError('this policy store does not hold bucket creation settings');
  }
  return store;
}

function setCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice accounts set ACCOUNT --config FILE (--create-buckets CONNECTION [--bucket-prefix TEMPLATE] | --no-create-buckets)

Allow an account of the policy store to create buckets, or stop it. New
buckets go on CONNECTION under the prefix TEMPLATE, where {bucket} (required)
and {account} stand for whole path segments; the default is "${DEFAULT_BUCKET_PREFIX_TEMPLATE}".
The account is created in the store if it is not there yet. Buckets it has
already created stay. A running server sees the change within
policy.cacheTtlSeconds.

Options:
  -c, --config FILE              configuration file (its policy store and connections)
      --create-buckets CONNECTION  allow creating buckets on this connection
      --bucket-prefix TEMPLATE   where each new bucket goes on the connection
      --no-create-buckets        stop the account creating buckets
  -h, --help                     show this help`;
  return {
    name: 'set',
    summary: 'create an account of the store, or change whether it may create buckets',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, {
        config: { type: 'string', short: 'c' },
        'create-buckets': { type: 'string' },
        'bucket-prefix': { type: 'string' },
        'no-create-buckets': { type: 'boolean' },
      }, io);
      if (!parsed) return EXIT_OK;
      const { values, positionals } = parsed;
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing ACCOUNT' : `unexpected argument ${positionals[1]}`);
      const account = positionals[0]!;
      try {
        checkAccountName(account);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (values.config === undefined) throw new UsageError('missing --config FILE');
      const connection = values['create-buckets'];
      const stop = values['no-create-buckets'] === true;
      if (stop && (connection !== undefined || values['bucket-prefix'] !== undefined)) {
        throw new UsageError('--no-create-buckets goes without --create-buckets and --bucket-prefix');
      }
      if (!stop && connection === undefined && values['bucket-prefix'] !== undefined) throw new UsageError('--bucket-prefix needs --create-buckets CONNECTION');
      const prefix = values['bucket-prefix'] ?? DEFAULT_BUCKET_PREFIX_TEMPLATE;
      const templateProblem = bucketPrefixTemplateProblem(prefix);
      if (templateProblem) throw new UsageError(`--bucket-prefix ${templateProblem}`);
      const file = values.config;
      const config = await deps.loadConfig(file);
      if (config.accounts.some((a) => a.name === account)) {
        throw new KeysSetupError(`account ${account} is defined in ${file}: set accounts.${account}.createBuckets there`);
      }
      let settings: BucketCreationSettings | null = null;
      if (connection !== undefined) {
        const defined = config.connections[connection];
        if (!defined) throw new KeysSetupError(`${file} has no connection ${connection} (defined: ${Object.keys(config.connections).join(', ') || 'none'})`);
        if (defined.readOnly) throw new KeysSetupError(`connection ${connection} is readOnly: buckets created on it could never be written`);
        if (config.server.addressing !== 'path') throw new KeysSetupError('bucket creation needs server.addressing "path"');
        settings = { connection, prefix };
      }
      await withStore(deps, config, file, { create: true }, (store) => creationStore(store).setBucketCreation(account, settings));
      audit(io, 'account.updated', { account, createBuckets: settings ? `${settings.connection}:${settings.prefix}` : 'off' }, deps.now());
      io.out(settings
        ? `Account ${account} may create buckets on connection ${settings.connection} under ${settings.prefix}.`
        : `Account ${account} may not create buckets.`);
      return EXIT_OK;
    },
  };
}

function listCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice accounts list --config FILE [--json]

List the accounts of the policy store and the file, and where each may create buckets.

Options:
  -c, --config FILE   configuration file
      --json          one JSON array instead of a table
  -h, --help          show this help`;
  return {
    name: 'list',
    summary: 'list accounts and where each may create buckets',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.values.config === undefined) throw new UsageError('missing --config FILE');
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const file = parsed.values.config;
      const config = await deps.loadConfig(file);
      const rows: { account: string; source: 'file' | 'store'; createBuckets: BucketCreationSettings | null }[] =
        config.accounts.map((a) => ({ account: a.name, source: 'file', createBuckets: a.createBuckets ?? null }));
      await withStore(deps, config, file, { create: false }, async (store) => {
        if (!store) return;
        const creation = hasBucketCreation(store) ? store : undefined;
        for (const account of await store.listAccounts()) {
          if (rows.some((r) => r.account === account)) continue;
          rows.push({ account, source: 'store', createBuckets: (await creation?.getBucketCreation(account)) ?? null });
        }
      });
      rows.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
      if (parsed.values.json) {
        io.out(JSON.stringify(rows));
        return EXIT_OK;
      }
      if (rows.length === 0) {
        io.out('No accounts.');
        return EXIT_OK;
      }
      const width = Math.max(7, ...rows.map((r) => r.account.length));
      io.out(`${'ACCOUNT'.padEnd(width)}  SOURCE  CREATE BUCKETS`);
      for (const row of rows) {
        const where = row.createBuckets ? `${row.createBuckets.connection}:${row.createBuckets.prefix}` : '-';
        io.out(`${row.account.padEnd(width)}  ${row.source.padEnd(6)}  ${where}`);
      }
      return EXIT_OK;
    },
  };
}

export function createAccountsCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  return subcommandGroup(
    'accounts',
    'list accounts and allow them to create buckets',
    'Manage the accounts of the database policy store (policy.sqlitePath or policy.postgresUrl):\nwhether each may create buckets, and where its buckets go.',
    '  sluice accounts set carol --config sluice.yaml --create-buckets data --bucket-prefix "{account}/{bucket}/"\n  sluice accounts set carol --config sluice.yaml --no-create-buckets\n  sluice accounts list --config sluice.yaml',
    [setCommand(deps), listCommand(deps)],
  );
}

export const accountsCommand = createAccountsCommand();
