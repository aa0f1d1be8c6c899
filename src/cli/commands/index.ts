/**
 * The subcommands `sluice` knows, in the order its help lists them. Each
 * entry names its command and imports the command's module only when it
 * runs, so `sluice --help` loads none of them. A new command is one module
 * under this folder plus one entry here (its summary repeats the module's;
 * a test keeps the two equal).
 */
import type { CommandEntry } from '../command.ts';

export const commands: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'start the S3 endpoint from a configuration file',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    name: 'validate-config',
    summary: 'check a configuration file and report every problem',
    load: async () => (await import('./validate-config.ts')).validateConfigCommand,
  },
  {
    name: 'keys',
    summary: 'create, list and revoke access keys',
    load: async () => (await import('./keys.ts')).keysCommand,
  },
  {
    name: 'apikeys',
    summary: 'create, list and revoke API keys (tokens for /.sts)',
    load: async () => (await import('./apikeys.ts')).apikeysCommand,
  },
  {
    name: 'accounts',
    summary: 'list accounts and allow them to create buckets',
    load: async () => (await import('./accounts.ts')).accountsCommand,
  },
  {
    name: 'roles',
    summary: 'store, list, show and delete roles',
    load: async () => (await import('./roles.ts')).rolesCommand,
  },
  {
    name: 'idps',
    summary: 'register, list and remove an account\'s own identity providers',
    load: async () => (await import('./idps.ts')).idpsCommand,
  },
  {
    name: 'sessions',
    summary: 'revoke session credentials, rotate their keys',
    load: async () => (await import('./sessions.ts')).sessionsCommand,
  },
  {
    name: 'creds',
    summary: 'print session credentials for credential_process',
    load: async () => (await import('./creds.ts')).credsCommand,
  },
  {
    name: 'issuer',
    summary: 'generate, rotate and list the OIDC issuer\'s signing keys',
    load: async () => (await import('./issuer.ts')).issuerCommand,
  },
  {
    name: 'connections',
    summary: 'store a connection\'s access key, sealed, in the policy store',
    load: async () => (await import('./connections.ts')).connectionsCommand,
  },
  {
    name: 'db',
    summary: 'migrate the database policy store to this version',
    load: async () => (await import('./db.ts')).dbCommand,
  },
  {
    name: 'd1',
    summary: 'write the SQL for a Worker\'s D1 policy store: schema, keys',
    load: async () => (await import('./d1.ts')).d1Command,
  },
];
