/**
 * An in-memory `Backend`: objects live in a map, keys in a sorted set for
 * listing. Runtime-agnostic (no `node:*`), so it serves tests, demos and
 * Workers alike. A put reads the whole body, hashing it as it goes, and only
 * then commits, so a failed or aborted upload leaves the previous object intact.
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
  PutResult,
  ReadConditions,
} from '../../core/backend.ts';
import { ObjectNotFoundError, RangeNotSatisfiableError, WriteNotAllowedError } from '../../core/backend-errors.ts';
import { bytesBody, toWebStream, type Body } from '../../core/body.ts';
import { createMd5 } from '../../core/md5.ts';
import { applyConditions } from '../../core/s3/conditions.ts';
import { listSorted, listStartPoint } from '../../core/s3/list-sorted.ts';
import { resolveRange } from '../../core/s3/range.ts';
import { SortedKeySet } from './sorted-key-set.ts';

export interface MemoryBackendOptions {
  readOnly?: boolean;
  /** Clock for Last-Modified; injectable so tests can freeze time. */
  now?: () => Date;
}

interface StoredObject {
  info: ObjectInfo;
  bytes: Uint8Array;
}

/** The data a backend and its read-only views share. */
class MemoryStore {
  readonly objects = new Map<string, StoredObject>();
  readonly keys = new SortedKeySet();
}

export class MemoryBackend implements Backend {
  readonly kind = 'memory';

  get writable(): boolean {
    return !this.readOnly;
  }
  readonly readOnly: boolean;
  private readonly now: () => Date;
  private readonly store: MemoryStore;

  constructor(options: MemoryBackendOptions = {}, store = new MemoryStore()) {
    this.readOnly = options.readOnly ?? false;
    this.now = options.now ?? (() => new Date());
    this.store = store;
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

  async put(key: string, body: Body, metadata: ObjectMetadata, options: { signal?: AbortSignal } = {}): Promise<PutResult> {
    if (this.readOnly) throw new WriteNotAllowedError('memory backend is read-only');
    const { bytes, md5 } = await readHashed(body, options.signal);
    const etag = `"${md5}"`;
    const info: ObjectInfo = {
      ...copyMetadata(metadata),
      key,
      size: bytes.length,
      etag,
      lastModified: wholeSeconds(this.now()),
    };
    this.store.objects.set(key, { info, bytes });
    this.store.keys.add(key);
    return { etag };
  }

  async delete(key: string): Promise<void> {
    if (this.readOnly) throw new WriteNotAllowedError('memory backend is read-only');
    if (this.store.objects.delete(key)) this.store.keys.delete(key);
  }

  private lookup(key: string): StoredObject {
    const stored = this.store.objects.get(key);
    if (!stored) throw new ObjectNotFoundError(key);
    return stored;
  }
}

/** Read a body to the end, hashing as it streams; throws (storing nothing) if the stream fails or is aborted. */
async function readHashed(body: Body, signal: AbortSignal | undefined): Promise<{ bytes: Uint8Array; md5: string }> {
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
  for (const name of ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires'] as const) {
    if (metadata[name] !== undefined) copy[name] = metadata[name];
  }
  return copy;
}

function cloneInfo(info: ObjectInfo): ObjectInfo {
  return { ...info, lastModified: new Date(info.lastModified), metadata: { ...info.metadata } };
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
