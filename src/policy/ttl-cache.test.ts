import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from './ttl-cache.ts';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('serves from cache within the TTL and reloads after it', async () => {
  const time = clock();
  const cache = new TtlCache<string>({ ttlMs: 1000, now: time.now });
  let loads = 0;
  const load = async () => `v${++loads}`;
  assert.equal(await cache.get('k', load), 'v1');
  time.advance(999);
  assert.equal(await cache.get('k', load), 'v1');
  time.advance(1);
  assert.equal(await cache.get('k', load), 'v2');
});

test('concurrent misses for one entry share a single lookup', async () => {
  const cache = new TtlCache<string>({ ttlMs: 1000 });
  let loads = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = async () => {
    loads++;
    await gate;
    return 'value';
  };
  const all = Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
  release();
  assert.deepEqual(new Set(await all), new Set(['value']));
  assert.equal(loads, 1);
});

test('failures are not cached; absent results expire sooner', async () => {
  const time = clock();
  const cache = new TtlCache<string | null>({ ttlMs: 60_000, negativeTtlMs: 100, now: time.now });
  await assert.rejects(cache.get('k', async () => { throw new Error('store down'); }));
  assert.equal(await cache.get('k', async () => null), null);
  time.advance(100);
  assert.equal(await cache.get('k', async () => 'now present'), 'now present');
});

test('invalidate drops an entry, and a lookup begun before it does not restore it', async () => {
  const cache = new TtlCache<string>({ ttlMs: 60_000 });
  assert.equal(await cache.get('k', async () => 'old'), 'old');
  let release!: () => void;
  const slow = cache.get('j', () => new Promise<string>((resolve) => (release = () => resolve('stale'))));
  cache.invalidate('k');
  release();
  await slow;
  assert.equal(await cache.get('k', async () => 'new'), 'new');
  assert.equal(await cache.get('j', async () => 'fresh'), 'fresh');
});
