/**
 * Sluice as `sluice serve` runs it (same config file, same access log to
 * stdout), plus SigV4 authentication against an in-memory credential store
 * holding the benchmark key, and grants for its account.
 *
 *   node --import tsx bench/servers/signed-server.ts --config FILE --listen HOST:PORT --crypto web|node
 */
import { parseArgs } from 'node:util';
import { accessKeySource } from '../../src/auth/credential-source.ts';
import { createSigV4Authenticator } from '../../src/auth/sigv4-authenticator.ts';
import { createGrantPolicy } from '../../src/authz/grant-policy.ts';
import type { PermissionStatement } from '../../src/core/identity.ts';
import type { AccessKeyRecord, CredentialStore } from '../../src/policy/store.ts';
import { loadConfigFile } from '../../src/runtimes/node/config-file.ts';
import { startServer } from '../../src/runtimes/node/server.ts';
import { nodeSigV4Crypto } from '../../src/runtimes/node/sigv4-crypto.ts';
import { BENCH_ACCOUNT, BENCH_GRANTS, BENCH_KEY } from '../lib/bench-credentials.ts';

const { values } = parseArgs({
  options: { config: { type: 'string' }, listen: { type: 'string' }, crypto: { type: 'string', default: 'web' } },
});
if (!values.config || !values.listen || (values.crypto !== 'web' && values.crypto !== 'node')) {
  throw new TypeError('usage: signed-server --config FILE --listen HOST:PORT --crypto web|node');
}

const record: AccessKeyRecord = {
  ...BENCH_KEY,
  account: BENCH_ACCOUNT,
  label: 'benchmark',
  status: 'active',
  createdAt: new Date('2025-01-01T00:00:00Z'),
};
const credentials: CredentialStore = {
  async getAccessKey(accessKeyId) {
    return accessKeyId === record.accessKeyId ? record : null;
  },
};
const grants = {
  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    return account === BENCH_ACCOUNT ? BENCH_GRANTS : [];
  },
};

const config = await loadConfigFile(values.config);
const server = await startServer(config, {
  listen: values.listen,
  gateway: {
    authenticate: createSigV4Authenticator({
      sources: [accessKeySource(credentials, () => new Date())],
      ...(values.crypto === 'node' ? { crypto: nodeSigV4Crypto } : {}),
    }),
    policy: createGrantPolicy(grants, config.server.addressing),
  },
});
process.once('SIGTERM', () => void server.close());
