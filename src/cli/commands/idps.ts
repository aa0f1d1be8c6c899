/**
 * `sluice idps add | list | remove`: identity providers an account registers
 * itself (a self-hosted GitLab, a university's IdP), in the database policy
 * store (SQLite or PostgreSQL). Checked like the platform providers of the
 * configuration — and like registrations through the management API — with
 * the issuer's discovery document fetched at registration. Only the
 * account's own roles may bind to them. Changes are audit events on stderr.
 */
import type { FetchLike } from '../../oidc/bounded-fetch.ts';
import { DuplicateIdentityProviderError } from '../../oidc/account-providers.ts';
import { PROVIDER_ID } from '../../oidc/provider-config.ts';
import { withBuiltInProvider } from '../../sts/built-in-provider.ts';
import { identityProviderToJson, registerIdentityProvider } from '../../sts/idp-registration.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { audit } from '../audit.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { printable, takesEffect } from './keys-format.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies } from './keys-store.ts';
import { reportingStoreFailures } from './store-failures.ts';
import { subcommandGroup } from './subcommand-group.ts';

export interface IdpsDependencies extends KeysDependencies {
  /** Fetches the issuer's discovery document and JWK set at registration. */
  fetch: FetchLike;
}

const defaultIdpsDependencies: IdpsDependencies = { ...defaultKeysDependencies, fetch: (url, init) => fetch(url, init) };

const common = { config: { type: 'string', short: 'c' }, account: { type: 'string', short: 'a' } } as const;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${flag}`);
  return value;
}

async function loadWithSts(deps: KeysDependencies, file: string): Promise<SluiceConfig & { sts: NonNullable<SluiceConfig['sts']> }> {
  const config = await deps.loadConfig(file);
  if (!config.sts) throw new KeysSetupError(`${file} has no sts section: identity providers serve its STS endpoint`);
  return config as SluiceConfig & { sts: NonNullable<SluiceConfig['sts']> };
}

function addCommand(deps: IdpsDependencies): Command {
  const help = `Usage: sluice idps add --config FILE --account ACCOUNT --id ID --issuer URL --audience AUD [options]

Register an OIDC issuer for one account. Only that account's roles may bind
to it (bindings name it by ID); no other account sees it. The issuer must be
an https URL; its discovery document (ISSUER/.well-known/openid-configuration)
is fetched now and must name exactly this issuer and an https jwks_uri that
serves at least one signing key. The ID must not be a platform identity
provider's (sts.identityProviders) or "sluice", and the issuer must not be
theirs; both are unique within the account. A running server uses it within
policy.cacheTtlSeconds (with policy.postgresUrl, at once).

Options:
  -c, --config FILE        configuration file (its sts section, and policy.sqlitePath or policy.postgresUrl)
  -a, --account ACCOUNT    the account that registers the issuer
      --id ID              what the account's role bindings name it by
      --issuer URL         the issuer, exactly as tokens carry it in iss
      --audience AUD       an audience its tokens carry for Sluice (repeat for more, at most 20)
      --claims PROFILE     generic (default), github-actions or gitlab-ci: the claims roles may constrain
      --local              allow a plain-http issuer (a local test issuer); never in production
      --json               print the registered provider as JSON
  -h, --help               show this help

Exit codes: 0 registered, 1 refused (every problem listed) or failure, 2 bad usage.`;
  return {
    name: 'add',
    summary: 'register an OIDC issuer for an account',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, {
        ...common,
        id: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string', multiple: true },
        claims: { type: 'string' },
        local: { type: 'boolean' },
        json: { type: 'boolean' },
      }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const file = required(parsed.values.config, '--config FILE');
      const account = required(parsed.values.account, '--account ACCOUNT');
      const input = {
        id: required(parsed.values.id, '--id ID'),
        issuer: required(parsed.values.issuer, '--issuer URL'),
        audiences: parsed.values.audience ?? [],
        ...(parsed.values.claims !== undefined && { claims: parsed.values.claims }),
        local: parsed.values.local ?? false,
      };
      return reportingStoreFailures('sluice idps add', io, async () => {
        const config = await loadWithSts(deps, file);
        const result = await withStore(deps, config, file, { create: true }, async (store) => {
          const accounts = new Set([...config.accounts.map((a) => a.name), ...(await store!.listAccounts())]);
          if (!accounts.has(account)) throw new KeysSetupError(`no account named "${account}" in ${file} or the policy store`);
          try {
            // The operator runs this command: a local issuer is the operator's decision, as in the configuration.
            return await registerIdentityProvider(store!, input, {
              account,
              shared: withBuiltInProvider(config.sts.identityProviders, config.issuer?.url),
              allowLocal: true,
              fetch: deps.fetch,
              now: deps.now(),
            });
          } catch (error) {
            if (error instanceof DuplicateIdentityProviderError) throw new KeysSetupError(error.message);
            throw error;
          }
        });
        if (!result.ok) {
          for (const problem of result.problems) io.err(`sluice idps add: ${problem.field === '(body)' ? '' : `--${problem.field === 'audiences' ? 'audience' : problem.field.split('.')[0]}: `}${problem.message}`);
          return EXIT_FAILURE;
        }
        const { provider } = result;
        audit(io, 'idp.registered', { account, idp: provider.id, issuer: provider.issuer }, deps.now());
        if (parsed.values.json) io.out(JSON.stringify(identityProviderToJson(provider)));
        else io.out(`Registered identity provider ${provider.id} (${printable(provider.issuer)}) for account ${printable(account)}.`);
        return EXIT_OK;
      });
    },
  };
}

function listCommand(deps: IdpsDependencies): Command {
  const help = `Usage: sluice idps list --config FILE --account ACCOUNT [--json]

List the identity providers an account registered: id, issuer, audiences,
claim profile, registration time. Platform providers are in the
configuration file (sts.identityProviders).

Options:
  -c, --config FILE        configuration file
  -a, --account ACCOUNT    the account
      --json               print JSON for scripts
  -h, --help               show this help`;
  return {
    name: 'list',
    summary: 'list an account\'s registered identity providers',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { ...common, json: { type: 'boolean' } }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const file = required(parsed.values.config, '--config FILE');
      const account = required(parsed.values.account, '--account ACCOUNT');
      return reportingStoreFailures('sluice idps list', io, async () => {
        const config = await deps.loadConfig(file);
        const providers = await withStore(deps, config, file, { create: false }, async (store) => store?.listIdentityProviders({ account }) ?? []);
        if (parsed.values.json) io.out(JSON.stringify(providers.map(identityProviderToJson)));
        else if (providers.length === 0) io.out('No identity providers.');
        else for (const p of providers) io.out([p.id, printable(p.issuer), p.audiences.map(printable).join(','), p.claims, p.local ? 'local' : '-', p.createdAt.toISOString()].join('\t'));
        return EXIT_OK;
      });
    },
  };
}

function removeCommand(deps: IdpsDependencies): Command {
  const help = `Usage: sluice idps remove --config FILE --account ACCOUNT --id ID

Remove an account's registered identity provider. A running server refuses
its tokens within policy.cacheTtlSeconds (with policy.postgresUrl, at once);
the account's stored roles that
name it stop validating and cannot be assumed. Session credentials already
obtained keep working until they expire (\`sluice sessions revoke\`).

Options:
  -c, --config FILE        configuration file
  -a, --account ACCOUNT    the account
      --id ID              the provider's id
  -h, --help               show this help

Exit codes: 0 removed, 1 no such provider or failure, 2 bad usage.`;
  return {
    name: 'remove',
    summary: 'remove an account\'s registered identity provider',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { ...common, id: { type: 'string' } }, io);
      if (!parsed) return EXIT_OK;
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const file = required(parsed.values.config, '--config FILE');
      const account = required(parsed.values.account, '--account ACCOUNT');
      const id = required(parsed.values.id, '--id ID');
      if (!PROVIDER_ID.test(id)) throw new UsageError('--id must be lower-case letters, digits and hyphens (at most 63)');
      return reportingStoreFailures('sluice idps remove', io, async () => {
        const config = await deps.loadConfig(file);
        const removed = await withStore(deps, config, file, { create: false }, async (store) => (await store?.deleteIdentityProvider(account, id)) ?? false);
        if (!removed) {
          io.err(`sluice idps remove: account ${printable(account)} has no identity provider ${id}`);
          return EXIT_FAILURE;
        }
        audit(io, 'idp.removed', { account, idp: id }, deps.now());
        io.out(`Removed identity provider ${id} of account ${printable(account)}; a running server refuses its tokens ${takesEffect(config.policy)}.`);
        return EXIT_OK;
      });
    },
  };
}

export function createIdpsCommand(deps: IdpsDependencies = defaultIdpsDependencies): Command {
  return subcommandGroup(
    'idps',
    'register, list and remove an account\'s own identity providers',
    'Manage identity providers accounts register themselves, in the database policy\nstore (policy.sqlitePath or policy.postgresUrl). Platform providers are in the\nconfiguration file.',
    '  sluice idps add --config sluice.yaml --account campus --id campus-gitlab \\\n      --issuer https://gitlab.campus.example --audience sluice --claims gitlab-ci\n  sluice idps list --config sluice.yaml --account campus\n  sluice idps remove --config sluice.yaml --account campus --id campus-gitlab',
    [addCommand(deps), listCommand(deps), removeCommand(deps)],
  );
}

export const idpsCommand = createIdpsCommand();
