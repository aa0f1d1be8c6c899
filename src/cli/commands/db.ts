/**
 * `sluice db migrate --config FILE`: bring the configuration's database
 * policy store to this Sluice's schema. A shared PostgreSQL database is
 * never migrated by a server starting up (servers refuse a database that is
 * behind or ahead), so upgrades are one deliberate step; a SQLite file is
 * migrated by whoever opens it, and this command just does that.
 */
import type { SluiceConfig } from '../../core/config.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../command.ts';
import { loadConfig } from '../load-config.ts';
import { reportConfigError } from '../report.ts';

const help = `Usage: sluice db migrate --config FILE

Apply the missing schema migrations to the database policy store the
configuration names (policy.postgresUrl or policy.sqlitePath). Safe to run
again, and from several hosts at once: each step is applied exactly once.
Refuses a database written by a newer Sluice.

Options:
  -c, --config FILE   configuration file
  -h, --help          show this help

Exit codes: 0 migrated or already current, 1 failure, 2 bad usage.`;

export interface MigrationOutcome {
  from: number;
  to: number;
  /** What was migrated, without secrets. */
  what: string;
}

export interface DbDependencies {
  loadConfig(file: string): Promise<SluiceConfig>;
  migrate(config: SluiceConfig, file: string): Promise<MigrationOutcome>;
}

/** A problem the user fixes in the configuration or environment: printed, exit 1. */
class DbSetupError extends Error {}

async function migrateConfigured(config: SluiceConfig, file: string): Promise<MigrationOutcome> {
  const { postgresUrl, sqlitePath } = config.policy;
  if (postgresUrl !== undefined) {
    const [{ default: pg }, { migratePostgres }] = await Promise.all([import('pg'), import('../../policy/postgres/schema.ts')]);
    const what = 'the PostgreSQL policy database';
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 10_000, application_name: 'sluice db migrate' });
    try {
      await client.connect();
    } catch (error) {
      throw new DbSetupError(`cannot connect to ${what}: ${(error as Error).message}`);
    }
    try {
      return { ...(await migratePostgres(client, what)), what };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (sqlitePath !== undefined) {
    const [Database, { migrate, SCHEMA_VERSION }] = await Promise.all([
      import('better-sqlite3').then((m) => m.default),
      import('../../policy/sqlite/schema.ts'),
    ]);
    const db = new Database(sqlitePath, { timeout: 5_000 });
    try {
      const from = db.pragma('user_version', { simple: true }) as number;
      migrate(db, sqlitePath);
      return { from, to: SCHEMA_VERSION, what: sqlitePath };
    } finally {
      db.close();
    }
  }
  throw new DbSetupError(`${file} names no database policy store (policy.postgresUrl or policy.sqlitePath)`);
}

const defaultDependencies: DbDependencies = { loadConfig, migrate: migrateConfigured };

export function createDbCommand(deps: DbDependencies = defaultDependencies): Command {
  return {
    name: 'db',
    summary: 'migrate the database policy store to this version',
    help,
    async run(args, io) {
      const [subcommand, ...rest] = args;
      if (subcommand === '-h' || subcommand === '--help') {
        io.out(help);
        return EXIT_OK;
      }
      if (subcommand !== 'migrate') throw new UsageError(subcommand === undefined ? 'missing subcommand (migrate)' : `unknown subcommand "${subcommand}"`);
      const parsed = parseCommandArgs({ help }, rest, { config: { type: 'string', short: 'c' } }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const file = parsed.values.config;
      if (file === undefined) throw new UsageError('missing --config FILE');
      let config: SluiceConfig;
      try {
        config = await deps.loadConfig(file);
      } catch (error) {
        reportConfigError(error, io);
        return EXIT_FAILURE;
      }
      return runMigration(deps, config, file, io);
    },
  };
}

async function runMigration(deps: DbDependencies, config: SluiceConfig, file: string, io: CliIo): Promise<number> {
  try {
    const { from, to, what } = await deps.migrate(config, file);
    io.out(from === to ? `${what} is at schema version ${to}; nothing to do` : `migrated ${what} from schema version ${from} to ${to}`);
    return EXIT_OK;
  } catch (error) {
    io.err(`sluice db migrate: ${(error as Error).message}`);
    return EXIT_FAILURE;
  }
}

export const dbCommand = createDbCommand();
