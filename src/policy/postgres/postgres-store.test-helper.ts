/**
 * Test support: PostgreSQL policy stores, each in a fresh database of one
 * throwaway cluster per test file (started on first use, stopped by
 * `stopTestCluster`), migrated and opened with a fixed master key.
 */
import pg from 'pg';
import { POSTGRES_SKIP_REASON, startPostgresCluster, type PostgresCluster } from '../../../test/support/postgres-cluster.ts';
import { importPolicyConfig, type PolicyDefinitions } from '../sql/import-config.ts';
import { TEST_MASTER_KEY } from '../sqlite/test-support.ts';
import { PostgresPolicyStore, type PostgresPolicyStoreOptions } from './postgres-store.ts';
import { migratePostgres } from './schema.ts';

export { POSTGRES_SKIP_REASON, TEST_MASTER_KEY };

let cluster: Promise<PostgresCluster> | undefined;

export function testCluster(): Promise<PostgresCluster> {
  return (cluster ??= startPostgresCluster());
}

export async function stopTestCluster(): Promise<void> {
  const running = cluster;
  cluster = undefined;
  if (running) await (await running).stop();
}

/** Applies the migrations to the database at `url`, as `sluice db migrate` does. */
export async function migrateUrl(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePostgres(client, 'test database');
  } finally {
    await client.end();
  }
}

export interface TempPostgresStore {
  store: PostgresPolicyStore;
  url: string;
  /** Another store on the same database, as another process would open it. */
  reopen(options?: Partial<PostgresPolicyStoreOptions>): Promise<PostgresPolicyStore>;
  cleanup(): Promise<void>;
}

export async function tempPostgresStore(seed?: PolicyDefinitions, options: Partial<PostgresPolicyStoreOptions> = {}): Promise<TempPostgresStore> {
  const running = await testCluster();
  const url = running.url(await running.createDatabase());
  await migrateUrl(url);
  const opened: PostgresPolicyStore[] = [];
  const reopen = async (more: Partial<PostgresPolicyStoreOptions> = {}) => {
    const store = await PostgresPolicyStore.open(url, { masterKey: TEST_MASTER_KEY, ...options, ...more });
    opened.push(store);
    return store;
  };
  const store = await reopen();
  const cleanup = async () => {
    for (const s of opened) await s.close();
  };
  try {
    if (seed) await importPolicyConfig(store, seed);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { store, url, reopen, cleanup };
}
