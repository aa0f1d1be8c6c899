/**
 * `sluice apikeys create | list | revoke`: API keys — JWTs signed by
 * Sluice's issuer key, exchanged at `/.sts` like any OIDC token — for
 * callers with no identity provider of their own. Records (never tokens)
 * live in the database policy store (SQLite or PostgreSQL); changes are
 * audit events on stderr.
 */
import { randomFillSync } from 'node:crypto';
import type { SluiceConfig } from '../../core/config.ts';
import { configuredKeySource } from '../../oidc/issuer/create-issuer.ts';
import type { IssuerKeySource } from '../../oidc/issuer/issuer-keys.ts';
import { storedIssuerKeySource } from '../../oidc/issuer/stored-keys.ts';
import { API_KEY_ID } from '../../policy/api-key-store.ts';
import { UnknownAccountError } from '../../policy/sql/errors.ts';
import { apiKeyInputProblems, apiKeyToJson, issueApiKey } from '../../sts/api-key-issuance.ts';
import { audit } from '../audit.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { parseExpiry, printable, takesEffect } from './keys-format.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies, type ManagedKeyStore } from './keys-store.ts';
import { reportingStoreFailures } from './store-failures.ts';
import { subcommandGroup } from './subcommand-group.ts';

const configOption = { config: { type: 'string', short: 'c' } } as const;

function requireConfigFile(file: string | undefined): string {
  if (file === undefined) throw new UsageError('missing --config FILE');
  return file;
}

/** The issuer's keys: the configuration's PEM keys, else those in the store. */
async function issuerKeys(config: SluiceConfig, file: string, store: ManagedKeyStore, now: () => Date): Promise<{ url: string; keys: IssuerKeySource }> {
  if (!config.issuer) throw new KeysSetupError(`${file} has no issuer section: API keys are signed by Sluice's issuer key`);
  const keys = (await configuredKeySource(config.issuer)) ?? (store.outbound ? storedIssuerKeySource(store.outbound, now) : undefined);
  if (!keys) throw new KeysSetupError('no issuer keys: list issuer.keys or run `sluice issuer keys generate`');
  return { url: config.issuer.url, keys };
}

function createCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice apikeys create --config FILE --account ACCOUNT [options]

Create an API key for an account: a token signed by Sluice's issuer key,
exchanged at the STS endpoint (/.sts) for session credentials of the
account's roles. The token is printed once, alone on standard output, so
\`sluice apikeys create … > key.jwt\` stores it; Sluice keeps only its record.

Options:
  -c, --config FILE        configuration file (its issuer section, and policy.sqlitePath or policy.postgresUrl)
  -a, --account ACCOUNT    the account the key acts for (the token's sub)
      --role URN           bind the key to one role of the account (account::role/name)
      --expires WHEN       a lifetime (12h, 90d, 6w, 1y), a date (2027-01-01, midnight UTC)
                           or an ISO time with a zone; without it the key does not expire
  -l, --label LABEL        what the key is for, shown by \`sluice apikeys list\`
      --json               print JSON (token and record) instead of the bare token
  -h, --help               show this help

Exit codes: 0 created, 1 failure (no issuer, no store, unknown account), 2 bad usage.`;
  return {
    name: 'create',
    summary: 'create an API key and print its token once',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, {
        ...configOption,
        account: { type: 'string', short: 'a' },
        role: { type: 'string' },
        expires: { type: 'string' },
        label: { type: 'string', short: 'l' },
        json: { type: 'boolean' },
      }, io);
      if (!parsed) return EXIT_OK;
      const { account, role, expires, label = '', json = false } = parsed.values;
      const file = requireConfigFile(parsed.values.config);
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      if (account === undefined || account === '') throw new UsageError('missing --account ACCOUNT');
      const now = deps.now();
      const expiresAt = expires === undefined ? undefined : parseExpiry(expires, now);
      if (typeof expiresAt === 'string') throw new UsageError(expiresAt);
      const input = { account, label, ...(role !== undefined && { role }), ...(expiresAt !== undefined && { expiresAt }) };
      const problems = apiKeyInputProblems(input, now);
      if (problems.length > 0) throw new UsageError(problems.map((p) => `--${p.field === 'expiresAt' ? 'expires' : p.field} ${p.message}`).join('; '));
      return reportingStoreFailures('sluice apikeys create', io, async () => {
        const config = await deps.loadConfig(file);
        const inFile = config.accounts.some((a) => a.name === account);
        const created = await withStore(deps, config, file, { create: inFile }, async (store) => {
          if (!store) throw new KeysSetupError(`no account named "${account}" in ${file} or the policy store`);
          const issuer = await issuerKeys(config, file, store, deps.now);
          try {
            return await issueApiKey(store, { issuer: issuer.url, keys: issuer.keys, now: deps.now, randomBytes: (b) => randomFillSync(b) }, input);
          } catch (error) {
            if (error instanceof UnknownAccountError) throw new KeysSetupError(`no account named "${account}" in ${file} or the policy store`);
            throw error;
          }
        });
        audit(io, 'api-key.created', { jti: created.record.jti, account, role: created.record.role, label: label || undefined }, now);
        if (json) {
          io.out(JSON.stringify({ token: created.token, ...apiKeyToJson(created.record, now) }));
        } else {
          io.out(created.token);
          io.err(`Created API key ${created.record.jti} for account ${printable(account)}${created.record.role ? `, bound to ${created.record.role}` : ''}, expires ${created.record.expiresAt?.toISOString() ?? 'never'}.`);
          io.err('The token above is shown only now: store it safely (mode 0600). Sluice cannot show it again.');
        }
        return EXIT_OK;
      });
    },
  };
}

function listCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice apikeys list --config FILE [--account ACCOUNT] [--json]

List API keys (their records; tokens are never stored): id (jti), account,
bound role, status, creation, expiry and revocation times.

Options:
  -c, --config FILE        configuration file
  -a, --account ACCOUNT    only this account's keys
      --json               print JSON for scripts
  -h, --help               show this help`;
  return {
    name: 'list',
    summary: 'list API keys',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, { ...configOption, account: { type: 'string', short: 'a' }, json: { type: 'boolean' } }, io);
      if (!parsed) return EXIT_OK;
      const file = requireConfigFile(parsed.values.config);
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      const { account, json = false } = parsed.values;
      return reportingStoreFailures('sluice apikeys list', io, async () => {
        const config = await deps.loadConfig(file);
        const records = await withStore(deps, config, file, { create: false }, async (store) => store?.listApiKeys(account === undefined ? {} : { account }) ?? []);
        const now = deps.now();
        const rows = records.map((r) => apiKeyToJson(r, now));
        if (json) io.out(JSON.stringify(rows));
        else if (rows.length === 0) io.out('No API keys.');
        else for (const r of rows) io.out([r.jti, printable(String(r.account)), r.role ?? '-', r.status, r.createdAt, r.expiresAt ?? 'never', printable(String(r.label))].join('\t'));
        return EXIT_OK;
      });
    },
  };
}

function revokeCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice apikeys revoke --config FILE JTI

Revoke an API key by its id (the token's jti, as \`sluice apikeys list\`
shows it). Its next exchange at /.sts is refused — by a running server
within policy.cacheTtlSeconds (with policy.postgresUrl, at once). Session
credentials already obtained with it keep working until they expire; revoke
them with \`sluice sessions revoke\`.

Options:
  -c, --config FILE        configuration file
  -h, --help               show this help

Exit codes: 0 revoked (or already revoked), 1 no such key or failure, 2 bad usage.`;
  return {
    name: 'revoke',
    summary: 'revoke an API key',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, configOption, io);
      if (!parsed) return EXIT_OK;
      const file = requireConfigFile(parsed.values.config);
      if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one API key id (jti)');
      const jti = parsed.positionals[0]!;
      if (!API_KEY_ID.test(jti)) throw new UsageError('an API key id is 32 hexadecimal characters');
      return reportingStoreFailures('sluice apikeys revoke', io, async () => {
        const config = await deps.loadConfig(file);
        const outcome = await withStore(deps, config, file, { create: false }, async (store) => {
          const before = await store?.getApiKey(jti);
          if (!store || !before) return undefined;
          await store.revokeApiKey(jti);
          return { before, after: (await store.getApiKey(jti))! };
        });
        if (!outcome) {
          io.err(`sluice apikeys revoke: no API key ${jti}`);
          return EXIT_FAILURE;
        }
        const { before, after } = outcome;
        if (before.revokedAt) {
          io.out(`API key ${jti} (account ${printable(before.account)}) was already revoked on ${before.revokedAt.toISOString()}.`);
          return EXIT_OK;
        }
        audit(io, 'api-key.revoked', { jti, account: before.account }, deps.now());
        io.out(`Revoked API key ${jti} (account ${printable(before.account)}) at ${after.revokedAt?.toISOString()}.`);
        io.out(`A running server refuses its next exchange ${takesEffect(config.policy)}.`);
        return EXIT_OK;
      });
    },
  };
}

export function createApikeysCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  return subcommandGroup(
    'apikeys',
    'create, list and revoke API keys (tokens for /.sts)',
    'Manage API keys: tokens signed by Sluice\'s issuer key, exchanged at /.sts for\nsession credentials. Records live in the database policy store\n(policy.sqlitePath or policy.postgresUrl).',
    '  sluice apikeys create --config sluice.yaml --account research --expires 90d > key.jwt\n  sluice apikeys list --config sluice.yaml --account research\n  sluice apikeys revoke --config sluice.yaml 0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    [createCommand(deps), listCommand(deps), revokeCommand(deps)],
  );
}

export const apikeysCommand = createApikeysCommand();
