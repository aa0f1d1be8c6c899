/**
 * The hot-range cache: ranged GETs of cacheable objects served from aligned
 * chunks (`chunkSize` bytes each) kept in the runtime's chunk stores.
 *
 * It wraps the backend read of a GetObject the authorize stage has already
 * allowed (it takes only an `AuthorizedObject`), so it never decides who may
 * read what. For a request it may take (`eligibility.ts`):
 * 1. the object's metadata is learned with a one-byte GET (a GET, not a
 *    HEAD, so the headers are exactly those a GET answers with) and trusted
 *    for `metadataTtlSeconds`;
 * 2. the client's conditions are evaluated against it (a 304 or 412 is left
 *    to the store, whose metadata is current), then the range;
 * 3. every chunk the range touches comes from the store or, on a miss, from
 *    one ranged backend GET of the whole chunk carrying `If-Match` with the
 *    metadata's ETag (concurrent misses for one chunk share that GET);
 * 4. only when every chunk is in hand is the response started, so a
 *    generation change (412, or another ETag answered) drops the metadata
 *    and the request goes to the backend as if uncached: one response is
 *    never stitched from two generations of an object.
 */
import type { AuthorizedObject } from '../authorize.ts';
import { type Body, bytesBody, readAll } from '../body.ts';
import type { ByteRange, ObjectInfo } from '../backend.ts';
import { ObjectNotFoundError, PreconditionFailedError, RangeNotSatisfiableError } from '../backend-errors.ts';
import type { BucketConfig, ConnectionConfig, SluiceConfig } from '../config.ts';
import type { GatewayResponse } from '../http.ts';
import type { LogSink } from '../runtime.ts';
import { evaluateConditions } from '../s3/conditions.ts';
import { objectHeaders } from '../s3/object-headers.ts';
import type { OperationOf } from '../s3/operation.ts';
import { resolveRange } from '../s3/range.ts';
import { chunkKey, connectionIdentity, objectKey } from './chunk-key.ts';
import type { ChunkStore, ChunkStoreFactory } from './chunk-store.ts';
import { type BypassReason, bypassBeforeMetadata, bypassWithMetadata } from './eligibility.ts';
import { MemoryChunkStore } from './memory-chunk-store.ts';
import type { CacheOutcome } from '../metrics/gateway-metrics.ts';
import { MetadataCache } from './metadata-cache.ts';
import { type RangeCacheSettings, effectiveCacheSettings } from './settings.ts';
import { SingleFlight } from './single-flight.ts';

/** Reported once per request the cache looked at; `cache` names the cache (`hot-range`). */
export type CacheOutcomeListener = (cache: string, outcome: CacheOutcome) => void;

export const RANGE_CACHE_NAME = 'hot_range';

export interface RangeCacheOptions {
  config: SluiceConfig;
  /** The runtime's tiers per scope; absent: a memory tier per scope. */
  stores?: ChunkStoreFactory;
  /** Milliseconds since the epoch (the metadata's time to live). */
  now?: () => number;
  onOutcome?: CacheOutcomeListener;
  log?: LogSink;
  /** Keeps a chunk's write to its store alive past the response (Workers' `waitUntil`). */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** What the cache made of one GetObject. */
export type RangeCacheResult =
  | { kind: 'off' }
  | { kind: 'bypass'; reason: BypassReason }
  | { kind: 'served'; response: GatewayResponse };

type GetObject = OperationOf<'GetObject'>;

/** The chunk changed generation under the cache: a 412 to `If-Match`, or another ETag or length in the answer. */
class GenerationChanged extends Error {
  override name = 'GenerationChanged';
}

export class RangeCache {
  private readonly stores = new Map<string, ChunkStore>();
  /** Per bucket object (resolution stores hand out the same one while it is cached); null: off. */
  private readonly settings = new WeakMap<BucketConfig, RangeCacheSettings | null>();
  private readonly identities = new Map<string, string>();
  private readonly metadata: MetadataCache;
  private readonly metadataFlights = new SingleFlight<ObjectInfo>();
  private readonly chunkFlights = new SingleFlight<Uint8Array>();
  private readonly onOutcome: CacheOutcomeListener;

  constructor(private readonly options: RangeCacheOptions) {
    this.metadata = new MetadataCache(options.now ?? Date.now);
    const listener = options.onOutcome;
    // A listener (metrics) that throws must not fail the request it counts.
    this.onOutcome = listener
      ? (cache, outcome) => {
          try {
            listener(cache, outcome);
          } catch {
            // ignored
          }
        }
      : () => {};
  }

  /** The settings `object`'s bucket runs with, or undefined when the cache is off for it. */
  settingsFor(object: AuthorizedObject): RangeCacheSettings | undefined {
    const { bucket } = object;
    let settings = this.settings.get(bucket);
    if (settings === undefined) {
      settings = effectiveCacheSettings(this.options.config.connections[bucket.connection], bucket) ?? null;
      this.settings.set(bucket, settings);
    }
    return settings ?? undefined;
  }

  async get(op: GetObject, object: AuthorizedObject): Promise<RangeCacheResult> {
    const settings = this.settingsFor(object);
    if (!settings) return { kind: 'off' };
    let result: RangeCacheResult;
    try {
      result = await this.read(op, object, settings);
    } catch (error) {
      // A 416 answered from cached metadata: no backend call was made for the body.
      this.onOutcome(RANGE_CACHE_NAME, 'hit');
      throw error;
    }
    this.onOutcome(RANGE_CACHE_NAME, result.kind === 'served' ? (result.response.headers['x-cache'] === 'HIT' ? 'hit' : 'miss') : 'bypass');
    return result;
  }

  private async read(op: GetObject, object: AuthorizedObject, settings: RangeCacheSettings): Promise<RangeCacheResult> {
    const early = bypassBeforeMetadata({ range: op.range, partNumber: op.partNumber, publicBucket: object.bucket.public }, settings);
    if (early) return { kind: 'bypass', reason: early };
    const where = objectKey(this.identityOf(object.bucket.connection), object.bucket.prefix + object.key);
    let info: ObjectInfo;
    try {
      info = await this.learn(where, object, settings);
    } catch {
      // Whatever failed (a missing object, an empty one, the store) fails again, exactly, on the direct path.
      return { kind: 'bypass', reason: 'backend-error' };
    }
    // A 304 or 412 is the store's to give: cached metadata may be seconds old, and the client's tag newer.
    if (evaluateConditions(info, op.conditions) !== 'ok') return { kind: 'bypass', reason: 'conditional' };
    const range = resolveRange(op.range!, info.size);
    if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(info.size);
    const late = bypassWithMetadata(info.etag, range, settings);
    if (late) return { kind: 'bypass', reason: late };

    const store = this.storeFor(settings);
    let fetched = false;
    let chunks: Uint8Array[];
    try {
      chunks = await Promise.all(chunkIndices(range, settings.chunkSize).map(async (index) => {
        const key = chunkKey(where, info.etag, settings.chunkSize, index);
        const expected = chunkLength(index, settings.chunkSize, info.size);
        const cached = await store.get(key);
        if (cached !== undefined && cached.byteLength === expected) return cached;
        fetched = true;
        return this.chunkFlights.run(key, () => this.fetchChunk(object, info, index, settings.chunkSize, expected, store, key));
      }));
    } catch (error) {
      if (error instanceof GenerationChanged) {
        this.metadata.delete(where);
        return { kind: 'bypass', reason: 'changed' };
      }
      return { kind: 'bypass', reason: 'backend-error' };
    }
    const headers = objectHeaders(info, range, op.overrides, { checksumMode: op.checksumMode });
    headers['x-cache'] = fetched ? 'MISS' : 'HIT';
    return { kind: 'served', response: { status: 206, headers, body: sliceBody(chunks, range, settings.chunkSize) } };
  }

  /** The object's metadata, from the cache or a one-byte GET (concurrent learners share it). */
  private async learn(where: string, object: AuthorizedObject, settings: RangeCacheSettings): Promise<ObjectInfo> {
    const known = this.metadata.get(where);
    if (known) return known;
    return this.metadataFlights.run(where, async () => {
      const result = await object.backend.get(object.key, { range: { kind: 'bounded', first: 0, last: 0 } });
      await drain(result.body);
      this.metadata.set(where, result.info, settings.metadataTtlMs);
      return result.info;
    });
  }

  private async fetchChunk(
    object: AuthorizedObject, info: ObjectInfo, index: number, chunkSize: number, expected: number, store: ChunkStore, key: string,
  ): Promise<Uint8Array> {
    const first = index * chunkSize;
    let result;
    try {
      result = await object.backend.get(object.key, {
        range: { kind: 'bounded', first, last: first + expected - 1 },
        conditions: { ifMatch: info.etag },
      });
    } catch (error) {
      // Replaced (412, or shorter now) or deleted: the generation the metadata names is gone.
      if (error instanceof PreconditionFailedError || error instanceof RangeNotSatisfiableError || error instanceof ObjectNotFoundError) {
        throw new GenerationChanged();
      }
      throw error;
    }
    if (result.info.etag !== info.etag || result.info.size !== info.size || result.range?.start !== first) {
      await drain(result.body);
      throw new GenerationChanged();
    }
    const bytes = await readAll(result.body, expected).catch((error: unknown) => {
      if (error instanceof RangeError) throw new GenerationChanged();
      throw error;
    });
    if (bytes.byteLength !== expected) throw new GenerationChanged();
    // Storing never holds up the response; a tier that fails only loses the entry.
    const stored = Promise.resolve()
      .then(() => store.put(key, bytes))
      .catch((error: unknown) => this.options.log?.write({ level: 'warn', msg: 'range cache store failed', error: String(error) }));
    this.options.waitUntil?.(stored);
    return bytes;
  }

  private storeFor(settings: RangeCacheSettings): ChunkStore {
    let store = this.stores.get(settings.tierScope);
    if (!store) {
      store = this.options.stores?.(settings.tierScope, settings) ?? new MemoryChunkStore(settings.memory.maxBytes);
      this.stores.set(settings.tierScope, store);
    }
    return store;
  }

  private identityOf(connectionName: string): string {
    let identity = this.identities.get(connectionName);
    if (identity === undefined) {
      const connection: ConnectionConfig = this.options.config.connections[connectionName] ?? { name: connectionName, type: 'unknown', readOnly: true };
      identity = connectionIdentity(connection);
      this.identities.set(connectionName, identity);
    }
    return identity;
  }
}

function chunkIndices(range: ByteRange, chunkSize: number): number[] {
  const indices: number[] = [];
  for (let i = Math.floor(range.start / chunkSize); i <= Math.floor(range.end / chunkSize); i++) indices.push(i);
  return indices;
}

/** The length of chunk `index`: whole chunks, and what is left of the object for the last. */
function chunkLength(index: number, chunkSize: number, size: number): number {
  return Math.min(chunkSize, size - index * chunkSize);
}

/** The requested bytes of consecutive chunks, in order, without copying. */
function sliceBody(chunks: Uint8Array[], range: ByteRange, chunkSize: number): Body {
  const base = Math.floor(range.start / chunkSize) * chunkSize;
  const slices = chunks.map((chunk, i) => {
    const chunkStart = base + i * chunkSize;
    const from = Math.max(range.start, chunkStart) - chunkStart;
    const to = Math.min(range.end + 1, chunkStart + chunk.byteLength) - chunkStart;
    return chunk.subarray(from, to);
  });
  if (slices.length === 1) return bytesBody(slices[0]!);
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const slice = slices[next++];
      if (slice === undefined) controller.close();
      else controller.enqueue(slice);
    },
  });
}

/** Read a body nobody needs to its end (it is short), so the connection under it can be reused. */
async function drain(body: Body): Promise<void> {
  await readAll(body, 64 * 1024).catch(() => {});
}
