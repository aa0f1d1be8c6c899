/**
 * `sluice issuer keys generate | rotate | list`: the issuer's signing keys
 * in the database policy store, private keys sealed with the master key.
 * `generate` publishes a key (active when it is the first, `next`
 * otherwise); `rotate` makes the next key active and keeps the old one
 * published as `previous`; `list` shows kids and statuses, never keys.
 */
import { EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { KeysSetupError, defaultKeysDependencies, withStore, type KeysDependencies } from './keys-store.ts';
import { reportingStoreFailures } from './store-failures.ts';

const help = `Usage: sluice issuer keys <generate|rotate|list> --config FILE [--alg ES256|RS256] [--json]

Manage the OIDC issuer's signing keys in the database policy store (the
configuration's policy.sqlitePath or policy.postgresUrl; private keys sealed
with policy.masterKey).
Used when the configuration's issuer section lists no keys of its own.

  generate   create a key: active if there is none, otherwise "next"
             (published in the JWKS, not yet signing)
  rotate     make the next key active; the active key stays published as
             "previous", the older previous key is retired
  list       kid, algorithm, status and creation time of every key

Zero-downtime rotation: generate, wait at least issuer.jwksMaxAgeSeconds
plus one minute (servers reload keys every 60 s), then rotate.

Options:
  -c, --config FILE   configuration file
      --alg ALG       ES256 (default) or RS256, for generate
      --json          print JSON for scripts
  -h, --help          show this help

Exit codes: 0 done, 1 failure, 2 bad usage.`;

const options = {
  config: { type: 'string', short: 'c' },
  alg: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function createIssuerCommand(deps: KeysDependencies = defaultKeysDependencies): Command {
  return {
    name: 'issuer',
    summary: 'generate, rotate and list the OIDC issuer\'s signing keys',
    help,
    async run(args, io) {
      if (args[0] === 'keys') args = args.slice(1);
      else if (args[0] !== undefined && !args[0].startsWith('-')) throw new UsageError(`unknown subcommand "${args[0]}" (expected: issuer keys …)`);
      const parsed = parseCommandArgs({ help }, args, options, io);
      if (!parsed) return EXIT_OK;
      const [action, extra] = parsed.positionals;
      const { config: file, alg = 'ES256', json = false } = parsed.values;
      if (action === undefined) throw new UsageError('missing action (generate, rotate or list)');
      if (!['generate', 'rotate', 'list'].includes(action)) throw new UsageError(`unknown action "${action}"`);
      if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
      if (file === undefined) throw new UsageError('missing --config FILE');
      if (alg !== 'ES256' && alg !== 'RS256') throw new UsageError('--alg must be ES256 or RS256');
      const rotation = await import('../../oidc/issuer/key-rotation.ts');
      return reportingStoreFailures(`sluice issuer keys ${action}`, io, async () => {
        const config = await deps.loadConfig(file);
        return withStore(deps, config, file, { create: action !== 'list' }, async (store) => {
          if (action === 'list') {
            const keys = store?.outbound ? await store.outbound.listIssuerKeys() : [];
            if (json) io.out(JSON.stringify(keys.map((k) => ({ ...k, createdAt: k.createdAt.toISOString() }))));
            else if (keys.length === 0) io.out('No issuer keys.');
            else for (const k of keys) io.out(`${k.kid}  ${k.alg}  ${k.status.padEnd(8)}  ${k.createdAt.toISOString()}`);
            return EXIT_OK;
          }
          const outbound = store?.outbound;
          if (!outbound) throw new KeysSetupError('no policy store that holds issuer keys (policy.sqlitePath or policy.postgresUrl)');
          if (action === 'generate') {
            const made = await rotation.generateStoredKey(outbound, alg, deps.now());
            io.out(json ? JSON.stringify(made) : `Generated ${alg} key ${made.kid} (${made.status}).`);
            if (made.status === 'next' && !json) io.out('It is published now; run `sluice issuer keys rotate` once relying parties have refreshed their copy of the key set.');
            return EXIT_OK;
          }
          const rotated = await rotation.rotateStoredKeys(outbound);
          io.out(json ? JSON.stringify(rotated) : `Active key: ${rotated.active}${rotated.previous ? `; previous (still published): ${rotated.previous}` : ''}.`);
          return EXIT_OK;
        });
      });
    },
  };
}

export const issuerCommand = createIssuerCommand();
