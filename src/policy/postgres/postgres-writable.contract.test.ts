import { after, describe } from 'node:test';
import { runWritablePolicyStoreContract } from '../../../test/contract/writable-policy-store-contract.ts';
import { POSTGRES_SKIP_REASON, stopTestCluster, tempPostgresStore } from './postgres-store.test-helper.ts';

if (POSTGRES_SKIP_REASON) {
  describe('postgres writable policy store contract', { skip: POSTGRES_SKIP_REASON }, () => {});
  console.log(`# skipping the PostgreSQL writable store contract: ${POSTGRES_SKIP_REASON}`);
} else {
  after(stopTestCluster);
  runWritablePolicyStoreContract('postgres', async (options) => tempPostgresStore(undefined, options));
}
