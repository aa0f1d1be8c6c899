/**
 * Test support: SQLite policy stores in temporary folders, removed by
 * `cleanup`, with a fixed master key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPolicyConfig, type PolicyDefinitions } from '../sql/import-config.ts';
import { SqlitePolicyStore, type SqlitePolicyStoreOptions } from './sqlite-store.ts';

export const TEST_MASTER_KEY = new Uint8Array(32).fill(7);

export interface TempSqliteStore {
  store: SqlitePolicyStore;
  dir: string;
  path: string;
  /** Another connection to the same file, as another process would open it. */
  reopen(options?: Partial<SqlitePolicyStoreOptions>): Promise<SqlitePolicyStore>;
  cleanup(): Promise<void>;
}

export async function tempSqliteStore(
  seed?: PolicyDefinitions,
  options: Partial<SqlitePolicyStoreOptions> = {},
): Promise<TempSqliteStore> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sqlite-'));
  const path = join(dir, 'policy.db');
  const opened: SqlitePolicyStore[] = [];
  const reopen = async (more: Partial<SqlitePolicyStoreOptions> = {}) => {
    const store = await SqlitePolicyStore.open(path, { masterKey: TEST_MASTER_KEY, ...options, ...more });
    opened.push(store);
    return store;
  };
  try {
    const store = await reopen();
    if (seed) await importPolicyConfig(store, seed);
    return {
      store,
      dir,
      path,
      reopen,
      async cleanup() {
        for (const s of opened) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const s of opened) await s.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
