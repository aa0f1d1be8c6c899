import { after, describe } from 'node:test';
import { runPolicyStoreContract } from '../../../test/contract/policy-store-contract.ts';
import { POSTGRES_SKIP_REASON, stopTestCluster, tempPostgresStore } from './postgres-store.test-helper.ts';

if (POSTGRES_SKIP_REASON) {
  describe('postgres policy store contract', { skip: POSTGRES_SKIP_REASON }, () => {});
  console.log(`# skipping the PostgreSQL store contract: ${POSTGRES_SKIP_REASON}`);
} else {
  after(stopTestCluster);
  runPolicyStoreContract('postgres', async (seed) => tempPostgresStore(seed));
}
