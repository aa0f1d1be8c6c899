import { runWritablePolicyStoreContract } from '../../../test/contract/writable-policy-store-contract.ts';
import { tempSqliteStore } from './test-support.ts';

runWritablePolicyStoreContract('sqlite', async ({ now }) => tempSqliteStore(undefined, { now }));
