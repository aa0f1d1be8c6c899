import { runWritablePolicyStoreContract } from '../../../test/contract/writable-policy-store-contract.ts';
import { tempSqliteStore } from './test-support.ts';

runWritablePolicyStoreContract('sqlite', async (options) => tempSqliteStore(undefined, options));
