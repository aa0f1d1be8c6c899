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
    name: 'db',
    summary: 'migrate the database policy store to this version',
    load: async () => (await import('./db.ts')).dbCommand,
  },
];
