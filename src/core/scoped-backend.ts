/**
 * A bucket's view of its connection: the bucket's prefix is added to every
 * key on the way in and removed from keys and common prefixes on the way out,
 * so dispatch speaks in the client's keys only.
 */
import type { Backend, PutOptions, GetOptions, GetResult, ListParams, ListResult, ObjectInfo, ObjectMetadata, PutResult, ReadConditions } from './backend.ts';
import type { Body } from './body.ts';

export function scopeBackend(backend: Backend, prefix: string): Backend {
  return prefix === '' ? backend : new ScopedBackend(backend, prefix);
}

class ScopedBackend implements Backend {
  readonly kind: string;
  readonly writable: boolean | undefined;

  constructor(private readonly inner: Backend, private readonly prefix: string) {
    this.kind = inner.kind;
    this.writable = inner.writable;
  }

  async head(key: string, options?: { conditions?: ReadConditions; signal?: AbortSignal }): Promise<ObjectInfo> {
    return this.unscopeInfo(await this.inner.head(this.prefix + key, options));
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const result = await this.inner.get(this.prefix + key, options);
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
    return this.inner.put(this.prefix + key, body, metadata, options);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.prefix + key);
  }

  private unscopeInfo(info: ObjectInfo): ObjectInfo {
    return { ...info, key: info.key.slice(this.prefix.length) };
  }
}
