/**
 * `sluice connections set-credentials`: a connection's static keys sealed in
 * the database policy store (for `auth: { type: stored }`). The secret is read
 * from an environment variable, never from the command line, so it stays
 * out of shell history and process listings; nothing secret is printed.
 */
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies } from './keys-store.ts';
import { reportingStoreFailures } from './store-failures.ts';

const help = `Usage: sluice connections set-credentials --config FILE --connection NAME --access-key-id ID --secret-from-env VAR [--session-token-from-env VAR]

Store the access key a connection with \`auth: { type: stored }\` signs with,
sealed with policy.masterKey in the database policy store (policy.sqlitePath
or policy.postgresUrl). The secret (and an
optional session token) come from environment variables. Running servers
pick up new keys within five minutes.

Options:
  -c, --config FILE                  configuration file
      --connection NAME              the connection
      --access-key-id ID             the access key id
      --secret-from-env VAR          environment variable holding the secret access key
      --session-token-from-env VAR   environment variable holding a session token
  -h, --help                         show this help

Exit codes: 0 stored, 1 failure, 2 bad usage.`;

const options = {
  config: { type: 'string', short: 'c' },
  connection: { type: 'string' },
  'access-key-id': { type: 'string' },
  'secret-from-env': { type: 'string' },
  'session-token-from-env': { type: 'string' },
} as const;

export function createConnectionsCommand(deps: KeysDependencies = defaultKeysDependencies, env: Record<string, string | undefined> = process.env): Command {
  return {
    name: 'connections',
    summary: 'store a connection\'s access key, sealed, in the policy store',
    help,
    async run(args, io) {
      const [action, ...rest] = args;
      if (action === '-h' || action === '--help' || action === undefined) {
        if (action === undefined) throw new UsageError('missing subcommand (set-credentials)');
        io.out(help);
        return EXIT_OK;
      }
      if (action !== 'set-credentials') throw new UsageError(`unknown subcommand "${action}"`);
      const parsed = parseCommandArgs({ help }, rest, options, io);
      if (!parsed) return EXIT_OK;
      const values = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const { config: file, connection: name, 'access-key-id': accessKeyId, 'secret-from-env': secretVar, 'session-token-from-env': tokenVar } = values;
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (name === undefined) throw new UsageError('missing --connection NAME');
      if (accessKeyId === undefined) throw new UsageError('missing --access-key-id ID');
      if (secretVar === undefined) throw new UsageError('missing --secret-from-env VAR');
      return reportingStoreFailures('sluice connections set-credentials', io, async () => {
        const secretAccessKey = env[secretVar];
        if (!secretAccessKey) throw new KeysSetupError(`environment variable ${secretVar} is not set or empty`);
        const sessionToken = tokenVar === undefined ? undefined : env[tokenVar];
        if (tokenVar !== undefined && !sessionToken) throw new KeysSetupError(`environment variable ${tokenVar} is not set or empty`);
        const config = await deps.loadConfig(file);
        const connection = config.connections[name];
        if (!connection) throw new KeysSetupError(`${file} has no connection ${name}`);
        if ((connection as { auth?: { type?: string } }).auth?.type !== 'stored') {
          io.err(`note: connection ${name} does not use \`auth: { type: stored }\`; the stored key is unused until it does`);
        }
        await withStore(deps, config, file, { create: true }, async (store) => {
          if (!store?.outbound) throw new KeysSetupError('no policy store that holds connection keys (policy.sqlitePath or policy.postgresUrl)');
          await store.outbound.setConnectionCredentials(name, { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) });
        });
        io.out(`Stored the access key ${accessKeyId} for connection ${name}.`);
        return EXIT_OK;
      });
    },
  };
}

export const connectionsCommand = createConnectionsCommand();
