/**
 * A bucket's view of its connection: the bucket's prefix is added to every
 * key on the way in and removed from keys and common prefixes on the way out,
 * so dispatch speaks in the client's keys only. A backend that can scope
 * itself (`Backend.withPrefix`, e.g. to confine links to the bucket's folder)
 * is asked to; any other gets the generic key-rewriting view.
 */
import type { Backend, PutOptions, GetOptions, GetResult, ListParams, ListResult, ObjectInfo, ObjectMetadata, PutResult, ReadConditions } from './backend.ts';
import type { Body } from './body.ts';
import { KeyConflictError, KeyOutsideScopeError, ObjectNotFoundError, UnsupportedKeyError } from './backend-errors.ts';

export function scopeBackend(backend: Backend, prefix: string): Backend {
  if (prefix === '') return backend;
  return backend.withPrefix ? backend.withPrefix(prefix) : prefixKeys(backend, prefix);
}

/** The generic view: `prefix` added to keys on the way in and removed on the way out, nothing else. */
export function prefixKeys(backend: Backend, prefix: string): Backend {
  return new ScopedBackend(backend, prefix);
}

class ScopedBackend implements Backend {
  readonly kind: string;
  readonly writable: boolean | undefined;

  constructor(private readonly inner: Backend, private readonly prefix: string) {
    this.kind = inner.kind;
    this.writable = inner.writable;
  }

  async head(key: string, options?: { conditions?: ReadConditions; signal?: AbortSignal }): Promise<ObjectInfo> {
    const info = await this.inner.head(this.prefix + key, options).catch((error: unknown) => {
      throw forClientKey(error, key);
    });
    return this.unscopeInfo(info);
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const result = await this.inner.get(this.prefix + key, options).catch((error: unknown) => {
      throw forClientKey(error, key);
    });
    return { ...result, info: this.unscopeInfo(result.info) };
  }

  async list(params: ListParams): Promise<ListResult> {
    const strip = this.prefix.length;
    const result = await this.inner.list({
      ...params,
      prefix: this.prefix + params.prefix,
      startAfter: params.startAfter === undefined ? undefined : this.prefix + params.startAfter,
    });
    return {
      ...result,
      objects: result.objects.map((o) => ({ ...o, key: o.key.slice(strip) })),
      commonPrefixes: result.commonPrefixes.map((p) => p.slice(strip)),
    };
  }

  put(key: string, body: Body, metadata: ObjectMetadata, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(this.prefix + key, body, metadata, options).catch((error: unknown) => {
      throw forClientKey(error, key);
    });
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.prefix + key).catch((error: unknown) => {
      throw forClientKey(error, key);
    });
  }

  private unscopeInfo(info: ObjectInfo): ObjectInfo {
    return { ...info, key: info.key.slice(this.prefix.length) };
  }
}

/** A failure naming the connection's key, restated with the client's key (errors reach clients, e.g. `<Key>` of NoSuchKey). */
function forClientKey(error: unknown, key: string): unknown {
  if (error instanceof ObjectNotFoundError) return new ObjectNotFoundError(key);
  if (error instanceof KeyOutsideScopeError) return new KeyOutsideScopeError(key);
  if (error instanceof KeyConflictError) return new KeyConflictError(key, error.reason);
  if (error instanceof UnsupportedKeyError) return new UnsupportedKeyError(key, error.reason);
  return error;
}
