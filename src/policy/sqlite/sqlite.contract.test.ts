import { runPolicyStoreContract } from '../../../test/contract/policy-store-contract.ts';
import { tempSqliteStore } from './test-support.ts';

runPolicyStoreContract('sqlite', async (seed) => tempSqliteStore(seed));
