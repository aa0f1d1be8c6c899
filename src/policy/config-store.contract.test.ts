import { runPolicyStoreContract } from '../../test/contract/policy-store-contract.ts';
import { ConfigPolicyStore } from './config-store.ts';

runPolicyStoreContract('config file', async (seed) => ({ store: new ConfigPolicyStore(seed), cleanup: async () => {} }));
