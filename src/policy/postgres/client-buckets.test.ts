/**
 * Buckets clients create, in the PostgreSQL store: the shared suite,
 * concurrent claims across pooled connections and stores included.
 */
import { after, describe } from 'node:test';
import { runClientBucketContract } from '../../../test/contract/client-bucket-contract.ts';
import { POSTGRES_SKIP_REASON, stopTestCluster, tempPostgresStore } from './postgres-store.test-helper.ts';

if (POSTGRES_SKIP_REASON) {
  describe('postgres client-created buckets', { skip: POSTGRES_SKIP_REASON }, () => {});
  console.log(`# skipping the PostgreSQL client-created buckets: ${POSTGRES_SKIP_REASON}`);
} else {
  after(stopTestCluster);
  runClientBucketContract('postgres', async () => {
    const temp = await tempPostgresStore();
    return { store: temp.store, reopen: () => temp.reopen(), cleanup: temp.cleanup };
  });
}
