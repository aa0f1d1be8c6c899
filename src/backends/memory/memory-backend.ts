/**
 * An in-memory `Backend`: objects live in a map, keys in a sorted set for
 * listing. Runtime-agnostic (no `node:*`), so it serves tests, demos and
 * Workers alike. A put reads the whole body, hashing it as it goes, and only
 * then commits, so a failed or aborted upload leaves the previous object intact.
 *
 * What it holds is capped (`maxBytes`, 256 MiB by default): bytes are
 * counted as they arrive, and a put that would take an object or the whole
 * store past the cap stops reading and fails, storing nothing.
 */
import type {
  Backend,
  GetOptions,
  GetResult,
  ListParams,
  ListResult,
  ObjectInfo,
  ObjectMetadata,
  ObjectSummary,
  PutOptions,
  PutResult,
  ReadConditions,
} from '../../core/backend.ts';
import { METADATA_STRING_FIELDS, settledChecksum } from '../../core/backend.ts';
import {
  ObjectNotFoundError, ObjectTooLargeError, RangeNotSatisfiableError, StorageFullError, WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import type { ConditionalWrites, WriteConditions } from '../../core/backend-capabilities.ts';
import { bytesBody, toWebStream, type Body } from '../../core/body.ts';
import { createMd5 } from '../../core/md5.ts';
import { applyConditions } from '../../core/s3/conditions.ts';
import { listSorted, listStartPoint } from '../../core/s3/list-sorted.ts';
import { resolveRange } from '../../core/s3/range.ts';
import { MemoryMultipart } from './memory-multipart.ts';
import { checkWriteConditions } from '../../core/s3/write-conditions.ts';
import { SortedKeySet } from './sorted-key-set.ts';

/** A name no object has: parts check their room under it, as they replace no object. */
const PART_ROOM = '\u0000part';

/** The default cap on the bytes a memory backend holds: room for tests and demonstrations, not for a process's whole memory. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface MemoryBackendOptions {
  readOnly?: boolean;
  /** Most bytes of object content held at once (default `DEFAULT_MAX_BYTES`); one object may use all of it. */
  maxBytes?: number;
  /** Hours after which an upload nobody completed or aborted is dropped with its parts (default 24), checked on each create. */
  multipartMaxAgeHours?: number;
  /** Clock for Last-Modified; injectable so tests can freeze time. */
  now?: () => Date;
}

interface StoredObject {
  info: ObjectInfo;
  bytes: Uint8Array;
}

/** The data a backend and its read-only views share, and the accounting of its cap. */
class MemoryStore {
  readonly objects = new Map<string, StoredObject>();
  readonly keys = new SortedKeySet();
  /** Bytes of the stored objects. */
  used = 0;
  /** Bytes received by uploads still in progress: they are held in memory too. */
  receiving = 0;

  constructor(readonly maxBytes: number) {}

  sizeOf(key: string): number {
    return this.objects.get(key)?.bytes.length ?? 0;
  }

  /** Fail unless an object of `size` bytes at `key` fits, counting `inFlight` bytes of other uploads. */
  checkRoom(key: string, size: number, inFlight: number): void {
    if (size > this.maxBytes) throw new ObjectTooLargeError(this.maxBytes);
    // The version being replaced leaves when this one commits, so its bytes count as room.
    if (this.used - this.sizeOf(key) + inFlight + size > this.maxBytes) throw new StorageFullError(this.maxBytes);
  }
}

export class MemoryBackend implements Backend, ConditionalWrites {
  readonly kind = 'memory';

  get writable(): boolean {
    return !this.readOnly;
  }
  readonly readOnly: boolean;
  private readonly now: () => Date;
  private readonly store: MemoryStore;

  constructor(options: MemoryBackendOptions = {}, store?: MemoryStore) {
    this.readOnly = options.readOnly ?? false;
    this.now = options.now ?? (() => new Date());
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new TypeError(`memory backend: maxBytes must be a whole number of bytes, not ${maxBytes}`);
    this.store = store ?? new MemoryStore(maxBytes);
    const backend = this;
    this.multipart = new MemoryMultipart({
      readOnly: this.readOnly,
      maxAgeMs: (options.multipartMaxAgeHours ?? 24) * 3600 * 1000,
      now: () => backend.now(),
      // Parts are not objects: no stored object's room is freed by them.
      receive: (_key, body, options) => backend.receive(PART_ROOM, body, options),
      holdParts: (delta) => {
        backend.store.used += delta;
      },
      commit: (key, bytes, metadata, etag, partSizes, conditions) => {
        // The parts' bytes were released just before: the object needs room of its own.
        backend.store.checkRoom(key, bytes.length, 0);
        backend.commit(key, bytes, metadata, etag, partSizes, conditions);
      },
    });
  }

  /** Multipart uploads, held in memory under the same cap. */
  readonly multipart: MemoryMultipart;

  /** The cap on the bytes this backend holds. */
  get maxBytes(): number {
    return this.store.maxBytes;
  }

  /** A read-only backend over the same objects (e.g. a read-only connection to seeded data). */
  readOnlyView(): MemoryBackend {
    return new MemoryBackend({ readOnly: true, now: this.now }, this.store);
  }

  async head(key: string, options: { conditions?: ReadConditions; signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const stored = this.lookup(key);
    applyConditions(stored.info, options.conditions);
    return cloneInfo(stored.info);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const stored = this.lookup(key);
    applyConditions(stored.info, options.conditions);
    if (!options.range) return { info: cloneInfo(stored.info), body: bytesBody(stored.bytes.slice()) };
    const range = resolveRange(options.range, stored.bytes.length);
    if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(stored.bytes.length);
    // A copy: byte streams transfer (detach) the buffers they are given.
    const body = bytesBody(stored.bytes.slice(range.start, range.end + 1));
    return { info: cloneInfo(stored.info), body, range };
  }

  async list(params: ListParams): Promise<ListResult> {
    const { keys, objects } = this.store;
    const after = listStartPoint(params);
    let index = keys.lowerBound(params.prefix);
    if (after !== undefined) index = Math.max(index, keys.upperBound(after));
    let skipTo: number | undefined;
    // Re-seeks by key after each entry, so puts and deletes during the listing cannot shift it.
    function* summaries(): Generator<ObjectSummary> {
      for (let key = keys.at(index); key !== undefined; key = keys.at(index)) {
        yield summarize(objects.get(key)!.info);
        index = skipTo ?? keys.upperBound(key);
        skipTo = undefined;
      }
    }
    return listSorted(summaries(), params, {
      skipPrefix: (prefix) => {
        skipTo = keys.pastPrefix(prefix);
      },
    });
  }

  put(key: string, body: Body, metadata: ObjectMetadata, options: PutOptions = {}): Promise<PutResult> {
    return this.write(key, body, metadata, undefined, options);
  }

  /** A put that commits only if `conditions` hold at the commit (checked and applied in one synchronous step). */
  conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options: PutOptions = {}): Promise<PutResult> {
    return this.write(key, body, metadata, conditions, options);
  }

  private async write(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions | undefined, options: PutOptions): Promise<PutResult> {
    if (this.readOnly) throw new WriteNotAllowedError('memory backend is read-only');
    const { bytes, md5 } = await this.receive(key, body, options);
    const etag = `"${md5}"`;
    this.commit(key, bytes, metadata, etag, undefined, conditions);
    return { etag };
  }

  /** Read a body for `key` within the cap, counting its bytes as they arrive; nothing is stored. */
  private async receive(key: string, body: Body, options: PutOptions): Promise<{ bytes: Uint8Array; md5: string }> {
    const store = this.store;
    if (options.contentLength !== undefined) store.checkRoom(key, options.contentLength, store.receiving);
    let received = 0;
    // Released at once on refusal, so uploads racing for the last room do not all fail together.
    const release = () => {
      store.receiving -= received;
      received = 0;
    };
    let bytes: Uint8Array;
    let md5: string;
    try {
      ({ bytes, md5 } = await readHashed(body, options.signal, (length) => {
        try {
          store.checkRoom(key, received + length, store.receiving - received);
        } catch (error) {
          release();
          throw error;
        }
        store.receiving += length;
        received += length;
      }));
    } finally {
      release();
    }
    return { bytes, md5 };
  }

  /**
   * Store a received object, after checking `conditions` against the object
   * there now. Synchronous from check to store, so no other write can come
   * between them: the commit point of every write (multipart completion too).
   */
  private commit(key: string, bytes: Uint8Array, metadata: ObjectMetadata, etag: string, partSizes?: readonly number[], conditions?: WriteConditions): void {
    const store = this.store;
    checkWriteConditions(key, store.objects.get(key)?.info, conditions);
    // Other puts may have committed while this one streamed.
    store.checkRoom(key, bytes.length, 0);
    const info: ObjectInfo = {
      ...copyMetadata(metadata),
      key,
      size: bytes.length,
      etag,
      lastModified: wholeSeconds(this.now()),
      ...(partSizes && { partSizes: [...partSizes] }),
    };
    store.used += bytes.length - store.sizeOf(key);
    store.objects.set(key, { info, bytes });
    store.keys.add(key);
  }

  async delete(key: string): Promise<void> {
    if (this.readOnly) throw new WriteNotAllowedError('memory backend is read-only');
    const size = this.store.sizeOf(key);
    if (this.store.objects.delete(key)) {
      this.store.keys.delete(key);
      this.store.used -= size;
    }
  }

  private lookup(key: string): StoredObject {
    const stored = this.store.objects.get(key);
    if (!stored) throw new ObjectNotFoundError(key);
    return stored;
  }
}

/**
 * Read a body to the end, hashing as it streams; throws (storing nothing) if
 * the stream fails or is aborted, or if `admit` refuses the next chunk's length.
 */
async function readHashed(
  body: Body,
  signal: AbortSignal | undefined,
  admit: (length: number) => void,
): Promise<{ bytes: Uint8Array; md5: string }> {
  const reader = toWebStream(body).getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const hash = createMd5();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      admit(value.length);
      hash.update(value);
      chunks.push(value);
      total += value.length;
    }
    // One contiguous copy, so the store never pins a producer's pooled buffers.
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes, md5: hash.digestHex() };
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function copyMetadata(metadata: ObjectMetadata): ObjectMetadata {
  const copy: ObjectMetadata = { metadata: { ...metadata.metadata } };
  for (const name of METADATA_STRING_FIELDS) {
    if (metadata[name] !== undefined) copy[name] = metadata[name];
  }
  // Called at the commit, once the body has ended: a trailer checksum's value is known by then.
  const checksum = settledChecksum(metadata.checksum);
  if (checksum) copy.checksum = checksum;
  return copy;
}

function cloneInfo(info: ObjectInfo): ObjectInfo {
  const clone: ObjectInfo = { ...info, lastModified: new Date(info.lastModified), metadata: { ...info.metadata } };
  if (info.partSizes) clone.partSizes = [...info.partSizes];
  if (info.checksum) clone.checksum = { ...info.checksum };
  return clone;
}

function summarize(info: ObjectInfo): ObjectSummary {
  const summary: ObjectSummary = { key: info.key, size: info.size, etag: info.etag, lastModified: new Date(info.lastModified) };
  if (info.storageClass) summary.storageClass = info.storageClass;
  return summary;
}

/** S3 keeps Last-Modified to the second (HTTP dates have no fraction), so listings and HEAD agree. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
