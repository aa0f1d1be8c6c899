/**
 * The layered store passes the contract however the definitions are split
 * between the config file and the SQLite store underneath.
 */
import { runPolicyStoreContract, type PolicySeed } from '../../test/contract/policy-store-contract.ts';
import { ConfigPolicyStore } from './config-store.ts';
import { LayeredPolicyStore } from './layered-store.ts';
import { tempSqliteStore } from './sqlite/test-support.ts';

const empty: PolicySeed = { buckets: [], accounts: [], accessKeys: [] };
const odd = <T>(list: T[]) => list.filter((_, i) => i % 2 === 1);
const even = <T>(list: T[]) => list.filter((_, i) => i % 2 === 0);

async function layered(fixedSeed: PolicySeed, managedSeed: PolicySeed) {
  const fixed = new ConfigPolicyStore(fixedSeed);
  // Keys in the SQLite store may belong to accounts the config file defines.
  const managed = await tempSqliteStore(managedSeed, {
    accountExists: (name) => fixedSeed.accounts.some((a) => a.name === name),
  });
  return { store: new LayeredPolicyStore(fixed, managed.store), cleanup: managed.cleanup };
}

runPolicyStoreContract('layered (everything in the config file)', (seed) => layered(seed, empty));

runPolicyStoreContract('layered (everything in SQLite)', (seed) => layered(empty, seed));

runPolicyStoreContract('layered (split: accounts in the file, keys in SQLite, buckets in both)', (seed) =>
  layered(
    { buckets: even(seed.buckets), accounts: seed.accounts, accessKeys: [] },
    { buckets: odd(seed.buckets), accounts: [], accessKeys: seed.accessKeys },
  ));

runPolicyStoreContract('layered (split: accounts in SQLite, keys in the file, buckets in both)', (seed) =>
  layered(
    { buckets: odd(seed.buckets), accounts: [], accessKeys: seed.accessKeys },
    { buckets: even(seed.buckets), accounts: seed.accounts, accessKeys: [] },
  ));
