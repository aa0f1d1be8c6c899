/**
 * The Workers tier over workerd's own Cache API (Miniflare's `caches.default`):
 * chunks round-trip, a miss is undefined, and an entry is only ever returned
 * for the key it was stored under.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Miniflare, Response as MiniflareResponse } from 'miniflare';
import { type CacheLike, CacheApiChunkStore } from '../../src/runtimes/workers/cache-api-chunk-store.ts';

describe('Cache API chunk store (workerd)', () => {
  let mf: Miniflare;
  let cache: CacheLike;

  before(async () => {
    mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response("") } }', compatibilityDate: '2026-04-01' });
    const workerd = ((await mf.getCaches()) as unknown as { default: { match(url: string): Promise<unknown>; put(url: string, response: unknown): Promise<void> } }).default;
    // From Node, Miniflare's proxy carries only its own Response class into workerd: the one conversion this test adds.
    cache = {
      match: async (url) => (await workerd.match(url)) as unknown as Response | undefined,
      put: async (url, response) => {
        await workerd.put(url, new MiniflareResponse(await response.arrayBuffer(), { headers: [...(response.headers as unknown as Iterable<[string, string]>)] }));
      },
    };
  });

  after(async () => {
    await mf?.dispose();
  });

  test('stores and reads back chunks by key; an unknown key misses', async () => {
    const store = new CacheApiChunkStore(cache, 'connection:origin');
    const bytes = new Uint8Array(70_000).map((_, i) => i & 0xff);
    await store.put('["origin"]\ntiles.bin\n"abc"\n65536\n3', bytes);
    assert.deepEqual(await store.get('["origin"]\ntiles.bin\n"abc"\n65536\n3'), bytes);
    assert.equal(await store.get('["origin"]\ntiles.bin\n"abc"\n65536\n4'), undefined);
    assert.equal(await store.get('["origin"]\ntiles.bin\n"def"\n65536\n3'), undefined, 'another generation is another key');
  });

  test('scopes are kept apart', async () => {
    const a = new CacheApiChunkStore(cache, 'connection:a');
    const b = new CacheApiChunkStore(cache, 'connection:b');
    await a.put('k', new Uint8Array([1, 2, 3]));
    assert.equal(await b.get('k'), undefined);
    assert.deepEqual(await a.get('k'), new Uint8Array([1, 2, 3]));
  });
});
