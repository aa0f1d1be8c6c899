/**
 * A test Worker that runs the D1 policy store inside workerd over its own
 * `env.DB` binding: migrates and opens the database, imports a small policy,
 * and answers what the gateway's lookups return as JSON for
 * `d1-store.test.ts` to check.
 */
import { migrateD1 } from '../../src/policy/d1/d1-schema.ts';
import { D1PolicyStore } from '../../src/policy/d1/d1-store.ts';
import type { D1Database } from '../../src/policy/d1/d1-types.ts';
import { importPolicyConfig } from '../../src/policy/sql/import-config.ts';

export default {
  async fetch(_request: Request, env: { DB: D1Database }): Promise<Response> {
    try {
      await migrateD1(env.DB);
      const store = await D1PolicyStore.open(env.DB, { masterKey: new Uint8Array(32).fill(3) });
      await importPolicyConfig(store, {
        buckets: [{ name: 'maps', account: 'acme', connection: 'main', prefix: 'acme/maps/', public: false, readOnly: true }],
        accounts: [{ name: 'acme', grants: [{ bucket: 'acme/maps', actions: ['read'], prefixes: ['tiles/'] }] }],
        accessKeys: [{ accessKeyId: 'SLAKINSIDEWORKERDAAA', secretAccessKey: 'sealed-inside-workerd-0123', account: 'acme', label: 'w', status: 'active' }],
      });
      const key = await store.getAccessKey('SLAKINSIDEWORKERDAAA');
      return Response.json({
        product: await store.getProduct('acme', 'maps'),
        grants: await store.getGrants('acme'),
        secret: key?.secretAccessKey,
        missing: await store.getBucket('nothing'),
      });
    } catch (error) {
      return new Response(String(error), { status: 500 });
    }
  },
};
