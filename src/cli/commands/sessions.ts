/**
 * `sluice sessions revoke`: refuse session credentials issued so far — one
 * session (its access key id), every session of a role, or of an account —
 * by writing a deny-list entry to the database policy store (SQLite or PostgreSQL). Each entry lasts
 * as long as the longest session it could match (12 hours), then lapses.
 */
import { parseRoleRef, roleUrn } from '../../sts/role-ref.ts';
import { isSessionKeyId } from '../../sts/session-access-key.ts';
import { type RevocationKind, newRevocation } from '../../sts/session-revocation.ts';
import { audit } from '../audit.ts';
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { takesEffect } from './keys-format.ts';
import { defaultKeysDependencies, withStore, type KeysDependencies } from './keys-store.ts';
import { listSecretsCommand, rotateSecretCommand } from './sessions-secrets.ts';
import { subcommandGroup } from './subcommand-group.ts';

function revokeCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice sessions revoke --config FILE (--access-key-id ID | --role URN | --account ACCOUNT)

Refuse session credentials issued up to now: one session by its access key
id (SLSS…), every session of a role (account::role/name), or every session
of an account. Sessions issued later are not affected. A running server
refuses them within policy.cacheTtlSeconds (with policy.postgresUrl, at once).

Options:
  -c, --config FILE          configuration file (its policy store and policy.masterKey)
      --access-key-id ID     one session
      --role URN             every session of a role
      --account ACCOUNT      every session of an account
  -h, --help                 show this help`;
  return {
    name: 'revoke',
    summary: 'refuse sessions issued so far, by key id, role or account',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, {
        config: { type: 'string', short: 'c' },
        'access-key-id': { type: 'string' },
        role: { type: 'string' },
        account: { type: 'string' },
      }, io);
      if (!parsed) return EXIT_OK;
      const file = parsed.values.config;
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (parsed.positionals.length > 0) throw new UsageError('unexpected argument');
      const chosen: [RevocationKind, string][] = [];
      const { values } = parsed;
      if (values['access-key-id'] !== undefined) {
        if (!isSessionKeyId(values['access-key-id'])) throw new UsageError('--access-key-id takes a session access key id (SLSS…)');
        chosen.push(['access-key', values['access-key-id']]);
      }
      if (values.role !== undefined) {
        const ref = parseRoleRef(values.role);
        if (!ref) throw new UsageError('--role takes a role URN (account::role/name)');
        chosen.push(['role', roleUrn(ref)]);
      }
      if (values.account !== undefined) chosen.push(['account', values.account]);
      if (chosen.length !== 1) throw new UsageError('give exactly one of --access-key-id, --role, --account');
      const [kind, value] = chosen[0]!;
      const config = await deps.loadConfig(file);
      const entry = newRevocation(kind, value, deps.now());
      await withStore(deps, config, file, { create: true }, (store) => store!.addSessionRevocation(entry));
      audit(io, 'sessions.revoked', { kind, value });
      io.out(`Revoked ${kind === 'access-key' ? 'session' : `every session of ${kind}`} ${value} issued up to ${entry.revokedAt.toISOString()}.`);
      io.out(`A running server refuses ${kind === 'access-key' ? 'it' : 'them'} ${takesEffect(config.policy)}.`);
      return EXIT_OK;
    },
  };
}

export function createSessionsCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  return subcommandGroup(
    'sessions',
    'revoke session credentials, rotate their keys',
    'Manage session credentials issued by the STS endpoint, through the database\npolicy store named by policy.sqlitePath or policy.postgresUrl.',
    '  sluice sessions revoke --config sluice.yaml --role demo::role/reader\n  sluice sessions revoke --config sluice.yaml --access-key-id SLSS1EXAMPLEEXAMPLE2\n  sluice sessions rotate-secret --config sluice.yaml',
    [revokeCommand(deps), rotateSecretCommand(deps), listSecretsCommand(deps)],
  );
}

export const sessionsCommand = createSessionsCommand();
