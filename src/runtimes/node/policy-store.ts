/**
 * The Node runtime's database policy store: SQLite, loaded only when the
 * configuration names one, so the native module is not needed otherwise.
 */
import { parseMasterKey } from '../../auth/secret-box.ts';
import type { PolicyStoreFactory } from '../../app/services.ts';

export const openSqlitePolicyStore: PolicyStoreFactory = async (policy) => {
  if (policy.masterKey === undefined) throw new TypeError('policy.sqlitePath needs policy.masterKey to encrypt stored secrets');
  const { SqlitePolicyStore } = await import('../../policy/sqlite/sqlite-store.ts');
  return SqlitePolicyStore.open(policy.sqlitePath, { masterKey: parseMasterKey(policy.masterKey) });
};
