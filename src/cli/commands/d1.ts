/**
 * `sluice d1 migrations | create-key | revoke-key`: what a Worker whose
 * policy store is D1 (`policy.type: d1`) needs from the command line. The
 * Worker only reads the database; this command writes the SQL (the schema's
 * migration files, a new access key with its secret sealed, a revocation)
 * that wrangler applies to it, from the same statements the D1 store uses.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newAccessKeyId, newSecretAccessKey } from '../../auth/access-key-ids.ts';
import { parseMasterKey, SecretBox } from '../../auth/secret-box.ts';
import { accessKeyIdProblem } from '../../config/rules.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { D1_SCHEMA_VERSION, d1MigrationFiles } from '../../policy/d1/d1-schema.ts';
import { accessKeyInsert, accessKeyRevoke, accountInsert, masterKeyCheckInsert, toSqlText } from '../../policy/d1/d1-writes.ts';
import { checkAccountName } from '../../policy/sql/rows.ts';
import { audit } from '../audit.ts';
import { EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../command.ts';
import { loadConfig } from '../load-config.ts';
import { describeCeiling, keyLimitsFromFlags, printable } from './keys-format.ts';
import { KeysSetupError } from './keys-store.ts';
import { subcommandGroup } from './subcommand-group.ts';

export interface D1Dependencies {
  /** The configuration as the Worker reads it. */
  loadConfig(file: string): Promise<SluiceConfig>;
  now(): Date;
}

const defaultDependencies: D1Dependencies = { loadConfig: (file) => loadConfig(file, 'workers'), now: () => new Date() };

const migrationsHelp = `Usage: sluice d1 migrations DIR

Write the D1 policy database's migration files into DIR, the migrations_dir
of the database in wrangler.toml ("migrations" unless set), one file per
schema version. Files already there are kept; one that differs from this
Sluice's is refused (released migrations never change). Then apply them:

  npx wrangler d1 migrations apply DATABASE --remote

After upgrading Sluice run both again before deploying: a Worker refuses a
database behind or ahead of its schema.

Options:
  -h, --help    show this help

Exit codes: 0 written or already there, 1 failure, 2 bad usage.`;

function createMigrationsCommand(): Command {
  return {
    name: 'migrations',
    summary: 'write the schema as wrangler migration files',
    help: migrationsHelp,
    async run(args, io) {
      const parsed = parseCommandArgs({ help: migrationsHelp }, args, {}, io);
      if (!parsed) return EXIT_OK;
      const [dir, extra] = parsed.positionals;
      if (dir === undefined) throw new UsageError('missing DIR');
      if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
      await mkdir(dir, { recursive: true });
      let written = 0;
      for (const file of d1MigrationFiles()) {
        const path = join(dir, file.name);
        const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw new KeysSetupError(`cannot read ${path}: ${error.message}`);
        });
        if (existing === file.sql) continue;
        if (existing !== undefined) {
          throw new KeysSetupError(`${path} differs from this Sluice's migration of the same name; released migrations never change: restore it (delete it and run this again)`);
        }
        await writeFile(path, file.sql, { flag: 'wx' });
        io.out(`wrote ${path}`);
        written++;
      }
      io.out(written === 0
        ? `${dir} has every migration up to schema version ${D1_SCHEMA_VERSION}; nothing to write`
        : `apply them with: npx wrangler d1 migrations apply DATABASE --remote`);
      return EXIT_OK;
    },
  };
}

const createKeyHelp = `Usage: sluice d1 create-key --config FILE --account ACCOUNT --label LABEL --out FILE.sql [options]

Make an access key for a Worker whose policy store is D1 (policy.type: d1):
print its id and secret once, and write the SQL that stores it, its secret
sealed with policy.masterKey, to FILE.sql. Apply it with

  npx wrangler d1 execute DATABASE --remote --file FILE.sql

The configuration is read as the Worker reads it, \${env:NAME} from this
environment (the master key among them). The SQL holds no secret in the
clear; the account is added to the database if it is not there.

Options:
  -c, --config FILE        the Worker's configuration file (policy.type: d1 and policy.masterKey)
  -a, --account ACCOUNT    the account the key acts for; its grants come from the file or the database
  -l, --label LABEL        what the key is for
      --expires WHEN       a lifetime (12h, 90d, 6w, 1y), a date (2027-01-01, midnight UTC)
                           or an ISO time with a zone; without it the key does not expire
      --prefix PREFIX      allow only object keys under PREFIX, in any bucket (repeatable)
      --read-only          allow only reads
  -o, --out FILE.sql       where the SQL goes (a new file; an existing one is not overwritten)
      --json               print the id and secret as JSON for scripts
  -h, --help               show this help

Exit codes: 0 created, 1 failure (no D1 store configured, file exists), 2 bad usage.`;

const createKeyOptions = {
  config: { type: 'string', short: 'c' },
  account: { type: 'string', short: 'a' },
  label: { type: 'string', short: 'l' },
  expires: { type: 'string' },
  prefix: { type: 'string', multiple: true },
  'read-only': { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
} as const;

function createCreateKeyCommand(deps: D1Dependencies): Command {
  return {
    name: 'create-key',
    summary: 'make an access key and write the SQL that stores it',
    help: createKeyHelp,
    async run(args, io) {
      const parsed = parseCommandArgs({ help: createKeyHelp }, args, createKeyOptions, io);
      if (!parsed) return EXIT_OK;
      const { config: file, account, label, expires, prefix = [], 'read-only': readOnly = false, out, json = false } = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (account === undefined || account === '') throw new UsageError('missing --account ACCOUNT');
      if (label === undefined) throw new UsageError('missing --label LABEL');
      if (out === undefined) throw new UsageError('missing --out FILE.sql');
      try {
        checkAccountName(account);
      } catch {
        throw new UsageError('--account must be an account name, without spaces or slashes');
      }
      const now = deps.now();
      const { expiresAt, ceiling } = keyLimitsFromFlags({ expires, prefixes: prefix, readOnly }, now);

      const config = await deps.loadConfig(file);
      if (config.policy.type !== 'd1') throw new KeysSetupError(`${file} has no D1 policy store (policy.type: d1 with policy.binding and policy.masterKey)`);
      // Validation requires the master key with type d1.
      const box = new SecretBox(parseMasterKey(config.policy.masterKey!));
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecretAccessKey();
      const statements = [
        await masterKeyCheckInsert(box),
        accountInsert(account, now),
        await accessKeyInsert(box, { accessKeyId, secretAccessKey, account, label, expiresAt, ceiling }, now),
      ];
      const sql = `-- Sluice: access key ${accessKeyId} of account ${account}. Apply with: npx wrangler d1 execute DATABASE --remote --file FILE\n`
        + statements.map((statement) => `${toSqlText(statement)}\n`).join('');
      try {
        await writeFile(out, sql, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new KeysSetupError(code === 'EEXIST' ? `${out} exists: give a new file for the SQL` : `cannot write ${out}: ${(error as Error).message}`);
      }
      audit(io, 'access-key.created', { accessKeyId, account, label, store: 'd1' }, now);
      if (json) {
        io.out(JSON.stringify({ accessKeyId, secretAccessKey, account, label, ...(expiresAt && { expiresAt: expiresAt.toISOString() }), ...(ceiling && { ceiling }), sql: out }));
      } else {
        printCreated(io, { accessKeyId, secretAccessKey, account, label, expiresAt, ceiling: describeCeiling(ceiling), out });
      }
      return EXIT_OK;
    },
  };
}

function printCreated(io: CliIo, key: { accessKeyId: string; secretAccessKey: string; account: string; label: string; expiresAt: Date | undefined; ceiling: string; out: string }): void {
  io.out(`Made an access key for account ${printable(key.account)}${key.label ? ` (${printable(key.label)})` : ''}.`);
  io.out('');
  io.out(`  Access key id       ${key.accessKeyId}`);
  io.out(`  Secret access key   ${key.secretAccessKey}`);
  io.out(`  Expires             ${key.expiresAt ? key.expiresAt.toISOString() : 'never'}`);
  io.out(`  Ceiling             ${key.ceiling}`);
  io.out('');
  io.out('The secret is shown only now: store it safely. Sluice cannot show it again.');
  io.out(`The key works once its SQL is applied: npx wrangler d1 execute DATABASE --remote --file ${key.out}`);
}

const revokeKeyHelp = `Usage: sluice d1 revoke-key ACCESS_KEY_ID

Print the SQL that revokes an access key stored in a Worker's D1 policy
database, to apply with

  npx wrangler d1 execute DATABASE --remote --command "$(sluice d1 revoke-key ACCESS_KEY_ID)"

The Worker refuses the key once its cached answer expires
(policy.cacheTtlSeconds, 30 seconds unless set).

Options:
  -h, --help    show this help

Exit codes: 0 printed, 2 bad usage.`;

function createRevokeKeyCommand(deps: D1Dependencies): Command {
  return {
    name: 'revoke-key',
    summary: 'print the SQL that revokes an access key',
    help: revokeKeyHelp,
    async run(args, io) {
      const parsed = parseCommandArgs({ help: revokeKeyHelp }, args, {}, io);
      if (!parsed) return EXIT_OK;
      const [id, extra] = parsed.positionals;
      if (id === undefined) throw new UsageError('missing ACCESS_KEY_ID');
      if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
      const problem = accessKeyIdProblem(id);
      if (problem) throw new UsageError(`ACCESS_KEY_ID: ${problem}`);
      io.out(toSqlText(accessKeyRevoke(id, deps.now())));
      return EXIT_OK;
    },
  };
}

export function createD1Command(deps: D1Dependencies = defaultDependencies): Command {
  return subcommandGroup(
    'd1',
    'write the SQL for a Worker\'s D1 policy store: schema, keys',
    'What a Cloudflare Worker whose policy store is D1 (policy.type: d1) needs:\n'
      + 'the schema as wrangler migration files, and access keys made and revoked\n'
      + 'as SQL for `wrangler d1 execute`. The Worker itself only reads the database.',
    [
      '  sluice d1 migrations migrations',
      '  sluice d1 create-key --config sluice.yaml --account research --label ci --out key.sql',
      '  sluice d1 revoke-key SLAKEXAMPLEEXAMPLE23',
    ].join('\n'),
    [createMigrationsCommand(), createCreateKeyCommand(deps), createRevokeKeyCommand(deps)],
  );
}

export const d1Command = createD1Command();
