/**
 * `sluice sessions rotate-secret | secrets`: session keys kept in the
 * policy store (used when `sts.sessions` gives no hmacSecrets and
 * signingKeys). `rotate-secret` adds a version — an HMAC secret and an
 * ES256 signing key, sealed with the master key — and makes it active;
 * older versions keep verifying until every session they issued has
 * expired, and are pruned by the rotation after that. `secrets` lists the
 * versions, never a secret.
 */
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { audit } from '../audit.ts';
import { KeysSetupError, withStore, type KeysDependencies } from './keys-store.ts';
import { reportingStoreFailures } from './store-failures.ts';

const options = { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } as const;

function parse(help: string, args: readonly string[], io: Parameters<Command['run']>[1]) {
  const parsed = parseCommandArgs({ help }, [...args], options, io);
  if (!parsed) return undefined;
  if (parsed.values.config === undefined) throw new UsageError('missing --config FILE');
  if (parsed.positionals.length > 0) throw new UsageError('unexpected argument');
  return { file: parsed.values.config, json: parsed.values.json ?? false };
}

export function rotateSecretCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice sessions rotate-secret --config FILE [--json]

Add a session key version to the policy store — a new HMAC secret and ES256
signing key, sealed with policy.masterKey — and make it the active one: new
session credentials use it. Credentials issued with older versions keep
working until they expire; versions that stopped being active more than 12
hours (the longest session) and 5 minutes ago are pruned. Running servers use
the new version within policy.cacheTtlSeconds (with policy.postgresUrl, at
once). Used when sts.sessions gives no hmacSecrets and signingKeys; run it
once before the first start to create the first version.

Options:
  -c, --config FILE   configuration file (its policy store and policy.masterKey)
      --json          print JSON for scripts
  -h, --help          show this help

Exit codes: 0 done, 1 failure, 2 bad usage.`;
  return {
    name: 'rotate-secret',
    summary: 'add a session key version and make it active',
    help,
    async run(args, io) {
      const parsed = parse(help, args, io);
      if (!parsed) return EXIT_OK;
      const { rotateSessionSecret } = await import('../../sts/stored-session-keys.ts');
      return reportingStoreFailures('sluice sessions rotate-secret', io, async () => {
        const config = await deps.loadConfig(parsed.file);
        if (config.sts?.sessions.hmacSecrets !== undefined) {
          io.err('note: sts.sessions gives hmacSecrets and signingKeys, so servers use those, not the stored versions');
        }
        return withStore(deps, config, parsed.file, { create: true }, async (store) => {
          if (!store?.sessionKeys) throw new KeysSetupError('no policy store that holds session keys (policy.sqlitePath or policy.postgresUrl)');
          const rotated = await rotateSessionSecret(store.sessionKeys, deps.now());
          audit(io, 'sessions.secret-rotated', { version: String(rotated.version), kid: rotated.kid, pruned: rotated.pruned.join(',') || undefined });
          if (parsed.json) {
            io.out(JSON.stringify(rotated));
          } else {
            io.out(`Session key version ${rotated.version} (signing key ${rotated.kid}) is now active.`);
            if (rotated.previous !== undefined) io.out(`Version ${rotated.previous} keeps verifying the sessions it issued until they expire.`);
            if (rotated.pruned.length > 0) io.out(`Pruned version${rotated.pruned.length === 1 ? '' : 's'} ${rotated.pruned.join(', ')}: every session they issued has expired.`);
          }
          return EXIT_OK;
        });
      });
    },
  };
}

export function listSecretsCommand(deps: KeysDependencies): Command {
  const help = `Usage: sluice sessions secrets --config FILE [--json]

List the session key versions in the policy store: version, signing key id,
when each was added, and which is active. Never prints a secret.

Options:
  -c, --config FILE   configuration file
      --json          print JSON for scripts
  -h, --help          show this help`;
  return {
    name: 'secrets',
    summary: 'list the session key versions in the policy store',
    help,
    async run(args, io) {
      const parsed = parse(help, args, io);
      if (!parsed) return EXIT_OK;
      return reportingStoreFailures('sluice sessions secrets', io, async () => {
        const config = await deps.loadConfig(parsed.file);
        return withStore(deps, config, parsed.file, { create: false }, async (store) => {
          const keys = (await store?.sessionKeys?.listSessionKeys()) ?? [];
          const active = keys.at(-1)?.version;
          const rows = keys.map((k) => ({ version: k.version, kid: k.kid, createdAt: k.createdAt.toISOString(), active: k.version === active }));
          if (parsed.json) io.out(JSON.stringify(rows));
          else if (rows.length === 0) io.out('No session keys in the policy store.');
          else for (const r of rows) io.out(`${r.version}  ${r.kid}  ${r.createdAt}${r.active ? '  active' : ''}`);
          return EXIT_OK;
        });
      });
    },
  };
}
