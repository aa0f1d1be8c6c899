/**
 * The hot-range cache through the gateway (memory backend): what it serves
 * is byte for byte and header for header what the backend serves directly,
 * it never stitches two generations of an object, concurrent misses reach
 * the backend once, and every bypass rule holds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../backends/memory/memory-backend.ts';
import { bucket, testConfig } from '../../../test/support/gateway-config.ts';
import type { AccessPolicy } from '../access-policy.ts';
import type { Backend, GetOptions, GetResult } from '../backend.ts';
import { bytesBody, readAll } from '../body.ts';
import type { BucketConfig, ConnectionConfig } from '../config.ts';
import { createGateway, type Gateway } from '../gateway.ts';
import type { GatewayResponse } from '../http.ts';
import { ANONYMOUS, type Identity } from '../identity.ts';
import type { CacheSection } from '../../config/cache-schema.ts';
import type { ChunkStore } from './chunk-store.ts';
import { MemoryChunkStore } from './memory-chunk-store.ts';
import type { CacheOutcome } from '../metrics/gateway-metrics.ts';
import { RangeCache } from './range-cache.ts';

const CHUNK = 1024;
const SIZE = 5000;
const openPolicy: AccessPolicy = { allows: async () => true, canSee: async () => true };

/** Forwards to a memory backend, counting reads and letting a test act just before one is forwarded. */
class CountingBackend implements Backend {
  readonly kind = 'counting';
  gets: GetOptions[] = [];
  beforeGet: ((options: GetOptions) => Promise<void> | void) | undefined;
  rewriteEtag: ((etag: string) => string) | undefined;
  constructor(readonly inner: MemoryBackend) {}
  head = (key: string, options?: Parameters<Backend['head']>[1]) => this.inner.head(key, options);
  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    this.gets.push(options);
    await this.beforeGet?.(options);
    const result = await this.inner.get(key, options);
    if (this.rewriteEtag) result.info = { ...result.info, etag: this.rewriteEtag(result.info.etag) };
    return result;
  }
  list = (params: Parameters<Backend['list']>[0]) => this.inner.list(params);
  put = (...args: Parameters<Backend['put']>) => this.inner.put(...args);
  delete = (key: string) => this.inner.delete(key);
  /** The cache's chunk reads: ranged, with the If-Match only they carry here. */
  chunkGets(): GetOptions[] {
    return this.gets.filter((o) => o.range?.kind === 'bounded' && o.conditions?.ifMatch !== undefined);
  }
}

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17 + (i >> 8)) & 0xff;
  return bytes;
}

interface Setup {
  gateway: Gateway;
  direct: Gateway;
  backend: CountingBackend;
  memory: MemoryBackend;
  outcomes: CacheOutcome[];
  clock: { now: number };
  stores: ChunkStore[];
  keys: string[];
}

async function setup(options: { connectionCache?: CacheSection; buckets?: BucketConfig[]; identity?: (headers: Record<string, string>) => Identity; policy?: AccessPolicy } = {}): Promise<Setup> {
  const memory = new MemoryBackend({ now: () => new Date('2026-01-02T03:04:05Z') });
  const backend = new CountingBackend(memory);
  const connection: ConnectionConfig = {
    type: 'memory', name: 'main', readOnly: false,
    cache: options.connectionCache ?? { chunkSize: CHUNK, maxSpan: 4 * CHUNK, memory: { maxBytes: 64 * CHUNK } },
  };
  const config = testConfig({
    buckets: options.buckets ?? [bucket('pub'), bucket('priv', { public: false }), bucket('plain', { connection: 'nocache' })],
    connections: { main: connection, nocache: { type: 'memory', name: 'nocache', readOnly: false } },
  });
  const clock = { now: Date.parse('2026-01-02T03:04:05Z') };
  const outcomes: CacheOutcome[] = [];
  const stores: ChunkStore[] = [];
  const keys: string[] = [];
  const rangeCache = new RangeCache({
    config,
    now: () => clock.now,
    onOutcome: (name, outcome) => {
      assert.equal(name, 'hot_range');
      outcomes.push(outcome);
    },
    stores: (_scope, settings) => {
      const inner = new MemoryChunkStore(settings.memory.maxBytes);
      const store: ChunkStore = {
        get: (key) => {
          keys.push(key);
          return inner.get(key);
        },
        put: (key, bytes) => inner.put(key, bytes),
      };
      stores.push(store);
      return store;
    },
  });
  const authenticate = async (req: { headers: Record<string, string>; body?: unknown }) =>
    ({ identity: options.identity?.(req.headers) ?? ANONYMOUS, body: req.body as never });
  const common = { config, policy: options.policy ?? openPolicy, authenticate };
  const gateway = createGateway({ ...common, backends: new Map<string, Backend>([['main', backend], ['nocache', backend]]), rangeCache });
  const direct = createGateway({ ...common, backends: new Map<string, Backend>([['main', memory], ['nocache', memory]]) });
  await memory.put('tiles.bin', bytesBody(pattern(SIZE, 1)), { contentType: 'image/tiff', metadata: { band: 'red' }, cacheControl: 'max-age=60' });
  return { gateway, direct, backend, memory, outcomes, clock, stores, keys };
}

async function get(gateway: Gateway, path: string, headers: Record<string, string> = {}): Promise<{ response: GatewayResponse; body: Uint8Array }> {
  const response = await gateway.handle({ method: 'GET', rawPath: path, rawQuery: '', headers, client: { ip: '127.0.0.1' } });
  let body = response.body ? await readAll(response.body) : new Uint8Array();
  // Error documents name their request: the one part two gateways never share.
  if (response.headers['content-type'] === 'application/xml') {
    body = new TextEncoder().encode(new TextDecoder().decode(body).replace(/<RequestId>[^<]*<\/RequestId>/, ''));
  }
  return { response, body };
}

function comparable(headers: Record<string, string>): Record<string, string> {
  const { 'x-amz-request-id': _id, 'x-cache': _cache, ...rest } = headers;
  return rest;
}

/** The cached answer equals the direct one in status, headers (but x-cache and the request id) and bytes. */
async function assertSameAsDirect(s: Setup, path: string, headers: Record<string, string>, expectCache: string | undefined): Promise<GatewayResponse> {
  const cached = await get(s.gateway, path, headers);
  const direct = await get(s.direct, path, headers);
  assert.equal(cached.response.status, direct.response.status, `status for ${JSON.stringify(headers)}`);
  assert.deepEqual(comparable(cached.response.headers), comparable(direct.response.headers));
  assert.deepEqual(cached.body, direct.body);
  assert.equal(cached.response.headers['x-cache'], expectCache);
  return cached.response;
}

describe('hot-range cache', () => {
  test('a miss fetches the whole chunk once; a hit answers from the store with the same bytes and headers', async () => {
    const s = await setup();
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=100-199' }, 'MISS');
    assert.equal(s.backend.gets.length, 2, 'one metadata read and one chunk read');
    assert.deepEqual(s.backend.chunkGets().map((o) => [o.range, o.conditions?.ifMatch]),
      [[{ kind: 'bounded', first: 0, last: CHUNK - 1 }, s.backend.gets[0] && (await s.memory.head('tiles.bin')).etag]]);
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=300-1023' }, 'HIT');
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=0-0' }, 'HIT');
    assert.equal(s.backend.gets.length, 2, 'hits read nothing from the backend');
    assert.deepEqual(s.outcomes, ['miss', 'hit', 'hit']);
  });

  test('a range over several chunks, the short last chunk and suffix ranges come out exactly', async () => {
    const s = await setup();
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=1000-4000' }, 'MISS');
    assert.equal(s.backend.chunkGets().length, 4);
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=1023-2048' }, 'HIT');
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=4090-9999' }, 'MISS');
    assert.deepEqual(s.backend.chunkGets().at(-1)!.range, { kind: 'bounded', first: 4 * CHUNK, last: SIZE - 1 });
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=-100' }, 'HIT');
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=4000-' }, 'HIT');
  });

  test('concurrent misses for one chunk reach the backend once', async () => {
    const s = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    s.backend.beforeGet = () => gate;
    const requests = Array.from({ length: 20 }, (_, i) => get(s.gateway, '/pub/tiles.bin', { range: `bytes=${i * 40}-${i * 40 + 99}` }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const answers = await Promise.all(requests);
    const whole = pattern(SIZE, 1);
    answers.forEach(({ response, body }, i) => {
      assert.equal(response.status, 206);
      assert.deepEqual(body, whole.subarray(i * 40, i * 40 + 100));
    });
    assert.equal(s.backend.gets.length, 2, `one metadata read and one chunk read, not ${s.backend.gets.length}`);
  });

  test('an object overwritten between chunk fetches is never served as a mix of generations', async () => {
    const s = await setup();
    const first = pattern(SIZE, 1);
    const second = pattern(SIZE, 2);
    // Chunk 0 of the first generation is cached; its metadata too.
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-99' });
    await s.memory.put('tiles.bin', bytesBody(second), { contentType: 'image/tiff', metadata: { band: 'red' } });
    const newEtag = (await s.memory.head('tiles.bin')).etag;
    // Chunk 0 is a hit of generation 1; chunk 1's fetch carries If-Match of generation 1 and fails.
    const { response, body } = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=1000-1100' });
    assert.equal(response.headers['x-cache'], 'BYPASS');
    assert.equal(response.headers.etag, newEtag);
    assert.deepEqual(body, second.subarray(1000, 1101), 'all of the new generation');
    assert.notDeepEqual(body, first.subarray(1000, 1101));
    // The stale metadata was dropped: the next read learns the new generation and caches it.
    const next = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-99' });
    assert.equal(next.response.headers['x-cache'], 'MISS');
    assert.equal(next.response.headers.etag, newEtag);
    assert.deepEqual(next.body, second.subarray(0, 100));
  });

  test('an overwrite landing while one request fetches its chunks sends it to the backend whole', async () => {
    const s = await setup();
    const second = pattern(SIZE + 7, 2);
    let chunkFetches = 0;
    s.backend.beforeGet = async (options) => {
      const range = options.range;
      if (range?.kind !== 'bounded' || range.last === 0) return;
      // The second chunk fetch of the request finds the object replaced (another size, other bytes).
      if (++chunkFetches === 2) await s.memory.put('tiles.bin', bytesBody(second), { metadata: {} });
    };
    const { response, body } = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=500-2500' });
    assert.equal(response.headers['x-cache'], 'BYPASS');
    assert.equal(response.headers.etag, (await s.memory.head('tiles.bin')).etag);
    assert.equal(response.headers['content-range'], `bytes 500-2500/${SIZE + 7}`);
    assert.deepEqual(body, second.subarray(500, 2501));
  });

  test('a chunk answered with another ETag than the metadata is not used', async () => {
    const s = await setup();
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    s.backend.rewriteEtag = () => '"someone-else"';
    const { response } = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=2000-2009' });
    assert.equal(response.headers['x-cache'], 'BYPASS');
  });

  test('bypass: whole objects, bytes=0-, spans over maxSpan, private buckets, weak ETags; no header where the cache is off', async () => {
    const s = await setup();
    await assertSameAsDirect(s, '/pub/tiles.bin', {}, 'BYPASS');
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=0-' }, 'BYPASS');
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: `bytes=0-${4 * CHUNK}` }, 'BYPASS');
    await assertSameAsDirect(s, '/pub/tiles.bin?partNumber=1', { range: 'bytes=0-10' }, undefined);
    await assertSameAsDirect(s, '/priv/tiles.bin', { range: 'bytes=0-10' }, 'BYPASS');
    await assertSameAsDirect(s, '/plain/tiles.bin', { range: 'bytes=0-10' }, undefined);
    assert.equal(s.backend.chunkGets().length, 0, 'nothing was cached');
    s.backend.rewriteEtag = (etag) => `W/${etag}`;
    const weak = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=10-20' });
    assert.equal(weak.response.headers['x-cache'], 'BYPASS');
    assert.ok(s.outcomes.every((o) => o === 'bypass'));
  });

  test('includePrivate caches buckets anonymous callers may not read', async () => {
    const s = await setup({ connectionCache: { chunkSize: CHUNK, includePrivate: true } });
    await assertSameAsDirect(s, '/priv/tiles.bin', { range: 'bytes=0-10' }, 'MISS');
    await assertSameAsDirect(s, '/priv/tiles.bin', { range: 'bytes=20-30' }, 'HIT');
  });

  test('a bucket section overrides its connection\'s and may turn the cache off', async () => {
    const s = await setup({
      buckets: [
        bucket('pub'),
        bucket('off', { cache: { enabled: false } }),
        bucket('wide', { cache: { maxSpan: 16 * CHUNK } }),
      ],
    });
    await assertSameAsDirect(s, '/off/tiles.bin', { range: 'bytes=0-10' }, undefined);
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: `bytes=0-${4 * CHUNK}` }, 'BYPASS');
    await assertSameAsDirect(s, '/wide/tiles.bin', { range: `bytes=0-${4 * CHUNK}` }, 'MISS');
    // Both buckets read the connection's tiers: the chunks cached for one are hits for the other.
    await assertSameAsDirect(s, '/pub/tiles.bin', { range: 'bytes=0-10' }, 'HIT');
    assert.equal(s.stores.length, 1);
  });

  test('conditional headers: a request they allow is served from the cache, a 304 or 412 comes from the store, exactly', async () => {
    const s = await setup();
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    const { etag, lastModified } = await s.memory.head('tiles.bin');
    const day = 86400_000;
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'if-none-match': etag }, 'BYPASS'],
      [{ 'if-none-match': '"other"' }, 'HIT'],
      [{ 'if-match': etag }, 'HIT'],
      [{ 'if-match': '"other"' }, 'BYPASS'],
      [{ 'if-modified-since': lastModified.toUTCString() }, 'BYPASS'],
      [{ 'if-modified-since': new Date(lastModified.getTime() - day).toUTCString() }, 'HIT'],
      [{ 'if-unmodified-since': new Date(lastModified.getTime() - day).toUTCString() }, 'BYPASS'],
      [{ 'if-unmodified-since': lastModified.toUTCString() }, 'HIT'],
      [{ 'if-match': etag, 'if-unmodified-since': new Date(0).toUTCString() }, 'HIT'],
      [{ 'if-none-match': '"other"', 'if-modified-since': lastModified.toUTCString() }, 'HIT'],
    ];
    for (const [conditions, cache] of cases) {
      const label = JSON.stringify(conditions);
      const before = s.backend.gets.length;
      const cached = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9', ...conditions });
      const direct = await get(s.direct, '/pub/tiles.bin', { range: 'bytes=0-9', ...conditions });
      assert.equal(cached.response.status, direct.response.status, label);
      assert.deepEqual(comparable(cached.response.headers), comparable(direct.response.headers), label);
      assert.deepEqual(cached.body, direct.body, label);
      // 304 and 412 carry no x-cache (they are errors to the gateway); the store answered them.
      if (cache === 'HIT') {
        assert.equal(cached.response.headers['x-cache'], 'HIT', label);
        assert.equal(s.backend.gets.length, before, `${label}: no backend read`);
      } else {
        assert.equal(s.backend.gets.length, before + 1, `${label}: the store decided`);
        assert.ok(Object.keys(s.backend.gets.at(-1)!.conditions ?? {}).length > 0, `${label}: with the client's conditions`);
      }
    }
  });

  test('a deleted object drops its metadata: the next miss goes to the store and answers 404', async () => {
    const s = await setup();
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    await s.memory.delete('tiles.bin');
    const { response } = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=2000-2009' });
    assert.equal(response.status, 404);
    const gets = s.backend.gets.length;
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    assert.deepEqual(s.backend.gets.slice(gets)[0]!.range, { kind: 'bounded', first: 0, last: 0 }, 'the metadata is learned again');
  });

  test('an unsatisfiable range is 416 as from the backend; a missing object is answered by the backend', async () => {
    const s = await setup();
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    const cached = await get(s.gateway, '/pub/tiles.bin', { range: `bytes=${SIZE}-${SIZE + 10}` });
    const direct = await get(s.direct, '/pub/tiles.bin', { range: `bytes=${SIZE}-${SIZE + 10}` });
    assert.equal(cached.response.status, 416);
    assert.deepEqual(comparable(cached.response.headers), comparable(direct.response.headers));
    const missing = await get(s.gateway, '/pub/none.bin', { range: 'bytes=0-9' });
    assert.equal(missing.response.status, 404);
    await s.memory.put('empty.bin', bytesBody(new Uint8Array()), { metadata: {} });
    // An empty object's one-byte metadata read is itself unsatisfiable: the backend answers the request.
    await assertSameAsDirect(s, '/pub/empty.bin', { range: 'bytes=0-9' }, undefined);
  });

  test('metadata is trusted for metadataTtlSeconds, then learned again', async () => {
    const s = await setup({ connectionCache: { chunkSize: CHUNK, metadataTtlSeconds: 2 } });
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    await s.memory.put('tiles.bin', bytesBody(pattern(SIZE, 3)), { metadata: {} });
    const stale = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    assert.equal(stale.response.headers['x-cache'], 'HIT', 'within the TTL the cached generation is served, whole');
    assert.deepEqual(stale.body, pattern(SIZE, 1).subarray(0, 10));
    s.clock.now += 2001;
    const fresh = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    assert.equal(fresh.response.headers['x-cache'], 'MISS');
    assert.deepEqual(fresh.body, pattern(SIZE, 3).subarray(0, 10));
  });

  test('chunk keys carry nothing of the caller: two principals share one cached chunk', async () => {
    const principal = (id: string): Identity => ({ kind: 'principal', account: `acct-${id}`, accessKeyId: `AKIA${id}` } as Identity);
    const s = await setup({ identity: (headers) => (headers['x-test-caller'] ? principal(headers['x-test-caller']) : ANONYMOUS) });
    await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9', 'x-test-caller': 'ALICESECRETKEY' });
    const second = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9', 'x-test-caller': 'BOBSECRETKEY' });
    assert.equal(second.response.headers['x-cache'], 'HIT');
    assert.ok(s.keys.length > 0 && s.keys.every((key) => !/ALICE|BOB|acct-/.test(key)), s.keys.join(' | '));
    assert.ok(s.keys.every((key) => key.includes('tiles.bin')));
  });

  test('authorization comes first: a refused GET reaches neither the cache nor the backend', async () => {
    const deny: AccessPolicy = { allows: async () => false, canSee: async () => true };
    const s = await setup({ policy: deny });
    const { response } = await get(s.gateway, '/pub/tiles.bin', { range: 'bytes=0-9' });
    assert.equal(response.status, 403);
    assert.equal(s.backend.gets.length, 0);
    assert.equal(s.keys.length, 0);
    assert.deepEqual(s.outcomes, []);
  });
});

describe('memory chunk store', () => {
  test('holds at most maxBytes, evicting the least recently used first', () => {
    const store = new MemoryChunkStore(3000);
    store.put('a', new Uint8Array(1000));
    store.put('b', new Uint8Array(1000));
    store.put('c', new Uint8Array(1000));
    assert.ok(store.get('a'), 'a is used again, so b is now the oldest');
    store.put('d', new Uint8Array(1000));
    assert.equal(store.get('b'), undefined);
    assert.ok(store.get('a') && store.get('c') && store.get('d'));
    assert.equal(store.size, 3000);
    store.put('huge', new Uint8Array(3001));
    assert.equal(store.get('huge'), undefined, 'larger than the tier: not kept, nothing evicted for it');
    assert.equal(store.count, 3);
    store.put('c', new Uint8Array(500));
    assert.equal(store.size, 2500, 'replacing an entry counts its new size only');
  });
});
