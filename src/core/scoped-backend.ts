/**
 * A bucket's view of its connection: the bucket's prefix is added to every
 * key on the way in and removed from keys and common prefixes on the way out,
 * so dispatch speaks in the client's keys only. A backend that can scope
 * itself (`Backend.withPrefix`, e.g. to confine links to the bucket's folder)
 * is asked to; any other gets the generic key-rewriting view, which forwards
 * exactly the optional capabilities the inner backend has, so a scoped
 * backend still reports (and prefix-applies) multipart, native copy and
 * conditional writes.
 */
import type { Backend, PutOptions, GetOptions, GetResult, ListParams, ListResult, ObjectInfo, ObjectMetadata, PutResult, ReadConditions } from './backend.ts';
import {
  type CapabilitiesOf,
  type ConditionalWrites,
  type PartReads,
  type MultipartOperations,
  type NativeCopy,
  hasConditionalWrites,
  hasPartReads,
  hasMultipart,
  hasNativeCopy,
} from './backend-capabilities.ts';
import type { Body } from './body.ts';
import { KeyConflictError, KeyOutsideScopeError, ObjectNotFoundError, UnsupportedKeyError } from './backend-errors.ts';

export type ScopedBackend<B extends Backend> = Backend & CapabilitiesOf<B>;

export function scopeBackend<B extends Backend>(backend: B, prefix: string): ScopedBackend<B> {
  if (prefix === '') return backend as Backend as ScopedBackend<B>;
  return (backend.withPrefix ? backend.withPrefix(prefix) : prefixKeys(backend, prefix)) as ScopedBackend<B>;
}

/** The generic view: `prefix` added to keys on the way in and removed on the way out, nothing else. */
export function prefixKeys<B extends Backend>(backend: B, prefix: string): ScopedBackend<B> {
  // The conditional capability type cannot be checked against a generic B; the runtime guards make it true.
  return new PrefixedBackend(backend, prefix) as Backend as ScopedBackend<B>;
}

class PrefixedBackend implements Backend {
  readonly kind: string;
  // Own properties only when the inner backend has the capability, so the type guards answer alike.
  declare readonly multipart?: MultipartOperations;
  declare readonly copy?: NativeCopy['copy'];
  declare readonly conditionalPut?: ConditionalWrites['conditionalPut'];
  declare readonly readPart?: PartReads['readPart'];

  readonly writable: boolean | undefined;

  constructor(private readonly inner: Backend, private readonly prefix: string) {
    this.kind = inner.kind;
    this.writable = inner.writable;
    if (hasMultipart(inner)) Object.defineProperty(this, 'multipart', { value: this.scopeMultipart(inner.multipart) });
    if (hasNativeCopy(inner)) {
      const copy: NativeCopy['copy'] = (sourceKey, destinationKey, options) => inner.copy(prefix + sourceKey, prefix + destinationKey, options);
      Object.defineProperty(this, 'copy', { value: copy });
    }
    if (hasConditionalWrites(inner)) {
      const conditionalPut: ConditionalWrites['conditionalPut'] = (key, body, metadata, conditions, options) =>
        inner.conditionalPut(prefix + key, body, metadata, conditions, options);
      Object.defineProperty(this, 'conditionalPut', { value: conditionalPut });
    }
    if (hasPartReads(inner)) {
      const readPart: PartReads['readPart'] = async (key, partNumber, options) => {
        const part = await inner.readPart(prefix + key, partNumber, options).catch((error: unknown) => {
          throw forClientKey(error, key);
        });
        return { ...part, info: this.unscopeInfo(part.info) };
      };
      Object.defineProperty(this, 'readPart', { value: readPart });
    }
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
    const result = await this.inner.list({
      ...params,
      prefix: this.prefix + params.prefix,
      startAfter: params.startAfter === undefined ? undefined : this.prefix + params.startAfter,
    });
    return {
      ...result,
      objects: result.objects.map((o) => ({ ...o, key: this.unscope(o.key) })),
      commonPrefixes: result.commonPrefixes.map((p) => this.unscope(p)),
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

  private scopeMultipart(multipart: MultipartOperations): MultipartOperations {
    const { prefix } = this;
    return {
      create: (key, metadata, options) => multipart.create(prefix + key, metadata, options),
      uploadPart: (key, uploadId, partNumber, body, options) => multipart.uploadPart(prefix + key, uploadId, partNumber, body, options),
      complete: (key, uploadId, parts, options) => multipart.complete(prefix + key, uploadId, parts, options),
      abort: (key, uploadId) => multipart.abort(prefix + key, uploadId),
      listParts: (key, uploadId, params) => multipart.listParts(prefix + key, uploadId, params),
      listUploads: async (params) => {
        const result = await multipart.listUploads({
          ...params,
          prefix: prefix + params.prefix,
          keyMarker: params.keyMarker === undefined ? undefined : prefix + params.keyMarker,
        });
        return {
          ...result,
          uploads: result.uploads.map((u) => ({ ...u, key: this.unscope(u.key) })),
          commonPrefixes: result.commonPrefixes.map((p) => this.unscope(p)),
          ...(result.nextKeyMarker !== undefined && { nextKeyMarker: this.unscope(result.nextKeyMarker) }),
        };
      },
    };
  }

  private unscope(key: string): string {
    return key.slice(this.prefix.length);
  }

  private unscopeInfo(info: ObjectInfo): ObjectInfo {
    return { ...info, key: this.unscope(info.key) };
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
