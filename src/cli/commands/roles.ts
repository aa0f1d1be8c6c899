/**
 * `sluice roles put | list | get | delete`: roles managed in the database
 * policy store, beside those of the configuration file (which win for the
 * same name). A definition is checked with the same rules as the file's
 * roles, against the file's identity providers, the built-in one and the
 * role's account's registered ones, before it is stored.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseConfigText } from '../../config/parse-text.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { withBuiltInProvider } from '../../sts/built-in-provider.ts';
import { scopeProviders } from '../../sts/provider-scope.ts';
import { validateRole } from '../../sts/role.ts';
import { type RoleRef, parseRoleRef, roleUrn } from '../../sts/role-ref.ts';
import { audit } from '../audit.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies } from './keys-store.ts';
import { subcommandGroup } from './subcommand-group.ts';

const configOption = { config: { type: 'string', short: 'c' } } as const;

async function setup(deps: KeysDependencies, file: string | undefined): Promise<{ config: SluiceConfig; file: string }> {
  if (file === undefined) throw new UsageError('missing --config FILE');
  const config = await deps.loadConfig(file);
  if (!config.sts) throw new KeysSetupError(`${file} has no sts section: roles need its identity providers`);
  return { config, file };
}

function urnArgument(positionals: string[]): RoleRef {
  if (positionals.length !== 1) throw new UsageError('expected exactly one role URN (account::role/name)');
  const ref = parseRoleRef(positionals[0]!);
  if (!ref) throw new UsageError('the role must be written account::role/name');
  return ref;
}

function putCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice roles put --config FILE ROLE-FILE

Store a role (YAML or JSON, the form of an entry of sts.roles) in the database
policy store, replacing a stored role of the same account and name. A
running server uses it within policy.cacheTtlSeconds.

Options:
  -c, --config FILE        configuration file (identity providers, policy store)
  -h, --help               show this help`;
  return {
    name: 'put',
    summary: 'store a role from a YAML or JSON file',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, configOption, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one role file');
      const { config, file } = await setup(deps, parsed.values.config);
      const roleFile = parsed.positionals[0]!;
      const definition = parseConfigText(await readFile(roleFile, 'utf8'), extname(roleFile) === '.json' ? 'json' : 'yaml', roleFile);
      const shared = withBuiltInProvider(config.sts!.identityProviders, config.issuer?.url);
      const claimed = (definition as { account?: unknown } | null)?.account;
      const urn = await withStore(deps, config, file, { create: true }, async (store) => {
        // The providers the role's account may bind to: the platform's, the built-in one and its own registered ones.
        const registered = typeof claimed === 'string' ? await store!.listIdentityProviders({ account: claimed }) : [];
        const result = validateRole(definition, { providers: scopeProviders(String(claimed), shared, registered).providers, addressing: config.server.addressing });
        if (!result.ok) {
          for (const problem of result.problems) io.err(`${roleFile}: ${problem.path || '(role)'}: ${problem.message}`);
          return undefined;
        }
        const urn = roleUrn(result.role);
        if (config.sts!.roles.some((r) => roleUrn(r) === urn)) {
          io.err(`sluice roles put: ${urn} is defined in ${file}; change it there`);
          return undefined;
        }
        const accounts = new Set([...config.accounts.map((a) => a.name), ...(await store!.listAccounts())]);
        if (!accounts.has(result.role.account)) throw new KeysSetupError(`no account ${result.role.account} in ${file} or the store`);
        await store!.putRoleDefinition(result.role.account, result.role.name, definition);
        return urn;
      });
      if (urn === undefined) return EXIT_FAILURE;
      audit(io, 'role.put', { role: urn });
      io.out(`Stored role ${urn}.`);
      return EXIT_OK;
    },
  };
}

function listCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice roles list --config FILE [--account ACCOUNT]

List roles: the configuration file's and the store's.

Options:
  -c, --config FILE        configuration file
      --account ACCOUNT    only this account's roles
  -h, --help               show this help`;
  return {
    name: 'list',
    summary: 'list roles (file and store)',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { ...configOption, account: { type: 'string' } }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length > 0) throw new UsageError('unexpected argument');
      const { config, file } = await setup(deps, parsed.values.config);
      const account = parsed.values.account;
      const rows = config.sts!.roles.filter((r) => account === undefined || r.account === account).map((r) => `${roleUrn(r)}\tfile\t${r.description ?? ''}`);
      const stored = await withStore(deps, config, file, { create: false }, async (store) => store?.listRoleDefinitions(account === undefined ? {} : { account }) ?? []);
      for (const role of stored) rows.push(`${role.account}::role/${role.name}\tstore\t${role.updatedAt.toISOString()}`);
      if (rows.length === 0) io.out('No roles.');
      for (const row of rows) io.out(row);
      return EXIT_OK;
    },
  };
}

function getCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice roles get --config FILE URN

Print a role's definition as JSON.

Options:
  -c, --config FILE        configuration file
  -h, --help               show this help`;
  return {
    name: 'get',
    summary: 'print a role as JSON',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, configOption, io);
      if (!parsed) return EXIT_OK;
      const ref = urnArgument(parsed.positionals);
      const { config, file } = await setup(deps, parsed.values.config);
      const fromFile = config.sts!.roles.find((r) => r.account === ref.account && r.name === ref.name);
      if (fromFile) {
        const { ceiling: _ceiling, ...shown } = fromFile;
        io.out(JSON.stringify({ source: 'file', ...shown }, null, 2));
        return EXIT_OK;
      }
      const stored = await withStore(deps, config, file, { create: false }, async (store) => store?.getRoleDefinition(ref.account, ref.name) ?? null);
      if (!stored) {
        io.err(`sluice roles get: no role ${roleUrn(ref)}`);
        return EXIT_FAILURE;
      }
      io.out(JSON.stringify({ source: 'store', updatedAt: stored.updatedAt.toISOString(), definition: stored.definition }, null, 2));
      return EXIT_OK;
    },
  };
}

function deleteCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice roles delete --config FILE URN

Delete a role from the store. Sessions already issued for it keep working
until they expire; revoke them with \`sluice sessions revoke --role URN\`.

Options:
  -c, --config FILE        configuration file
  -h, --help               show this help`;
  return {
    name: 'delete',
    summary: 'delete a stored role',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, configOption, io);
      if (!parsed) return EXIT_OK;
      const ref = urnArgument(parsed.positionals);
      const { config, file } = await setup(deps, parsed.values.config);
      const deleted = await withStore(deps, config, file, { create: false }, async (store) => (await store?.deleteRoleDefinition(ref.account, ref.name)) ?? false);
      if (!deleted) {
        io.err(`sluice roles delete: no stored role ${roleUrn(ref)}`);
        return EXIT_FAILURE;
      }
      audit(io, 'role.deleted', { role: roleUrn(ref) });
      io.out(`Deleted role ${roleUrn(ref)}.`);
      return EXIT_OK;
    },
  };
}

export function createRolesCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  return subcommandGroup(
    'roles',
    'store, list, show and delete roles',
    'Manage roles in the database policy store named by policy.sqlitePath or\npolicy.postgresUrl. Roles in the configuration file (sts.roles) are listed\ntoo and win for the same name.',
    '  sluice roles put --config sluice.yaml reader.yaml\n  sluice roles list --config sluice.yaml --account demo\n  sluice roles delete --config sluice.yaml demo::role/reader',
    [putCommand(deps), listCommand(deps), getCommand(deps), deleteCommand(deps)],
  );
}

export const rolesCommand = createRolesCommand();
