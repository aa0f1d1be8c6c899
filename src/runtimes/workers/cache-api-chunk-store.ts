/**
 * The hot-range cache's tier on Workers: the Cache API (`caches.default`)
 * behind the same `ChunkStore` interface the Node tiers offer. Each chunk is
 * a cached response at a synthetic URL (a SHA-256 of its key under the
 * scope), stored with a long lifetime since a key names one generation of
 * an object and its bytes never change; the data centre's cache evicts as it
 * sees fit. The full key travels in a header and is checked on every read.
 * (On a `*.workers.dev` host the Cache API keeps nothing: every read misses.)
 */
import type { ChunkStore } from '../../core/range-cache/chunk-store.ts';

/** The part of the Workers Cache API used here. */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}

const ORIGIN = 'https://sluice-range-cache.invalid';
const KEY_HEADER = 'x-sluice-chunk-key';
/** A day: entries are immutable, and the cache drops them sooner when it needs room. */
const MAX_AGE_SECONDS = 86_400;

export class CacheApiChunkStore implements ChunkStore {
  constructor(private readonly cache: CacheLike, private readonly scope: string) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const response = await this.cache.match(await this.urlOf(key));
    if (!response) return undefined;
    if (response.headers.get(KEY_HEADER) !== encodeURIComponent(key)) {
      await response.body?.cancel();
      return undefined;
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const response = new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.byteLength),
        'cache-control': `public, max-age=${MAX_AGE_SECONDS}, immutable`,
        [KEY_HEADER]: encodeURIComponent(key),
      },
    });
    await this.cache.put(await this.urlOf(key), response);
  }

  private async urlOf(key: string): Promise<string> {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${ORIGIN}/${encodeURIComponent(this.scope)}/${hex}`;
  }
}

/** `caches.default` where the runtime has it (workerd, Miniflare). */
export function defaultCache(): CacheLike | undefined {
  return (globalThis as { caches?: { default?: CacheLike } }).caches?.default;
}
