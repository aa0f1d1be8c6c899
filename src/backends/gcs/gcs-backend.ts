/**
 * `Backend` over Google Cloud Storage's JSON API.
 *
 * Keys are the gateway's bucket-relative keys; the connection's base prefix
 * is added on the way out and stripped on the way back. A read fetches the
 * object's metadata, checks S3's preconditions against the S3 ETag, then
 * downloads that exact generation (`ifGenerationMatch`), so the bytes served
 * are the version checked. Writes commit only once the body ended cleanly
 * (`upload.ts`); `If-None-Match: *` is `ifGenerationMatch=0` and `If-Match`
 * the generation whose S3 ETag matched, both checked by GCS at its commit.
 * Multipart uploads are parts stored as temporary objects and composed
 * (`multipart.ts`); copies are `rewrite` within the bucket.
 */
import {
  BackendError,
  ObjectNotFoundError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  UnsupportedKeyError,
  WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import type { CopyOptions, CopyResult, MultipartCapable, WriteConditions } from '../../core/backend-capabilities.ts';
import type { Backend, GetOptions, GetResult, ListParams, ListResult, ObjectInfo, ObjectMetadata, PutOptions, PutResult, ReadConditions } from '../../core/backend.ts';
import { discardBody, type Body } from '../../core/body.ts';
import type { OutboundResponse } from '../../core/http.ts';
import { applyConditions, etagListMatches } from '../../core/s3/conditions.ts';
import { resolveRange } from '../../core/s3/range.ts';
import { GcsBucketClient, type GenerationConditions } from './bucket-client.ts';
import { mapBucketError, mapObjectError } from './errors.ts';
import { listObjects } from './listing.ts';
import { GcsMultipart } from './multipart.ts';
import { objectNameProblem } from './object-names.ts';
import { objectInfo, objectWrite, RESERVED, type GcsObject } from './object-resource.ts';
import { resolveGcsOptions, type GcsBackendOptions, type ResolvedGcsOptions } from './options.ts';
import { GcsResponseError } from './transport.ts';
import { uploadObject } from './upload.ts';

/** Tries of a read whose object changed between the metadata read and the download. */
const PINNED_READ_ATTEMPTS = 3;

export class GcsBackend implements Backend, MultipartCapable {
  readonly kind = 'gcs';
  readonly opts: ResolvedGcsOptions;
  readonly client: GcsBucketClient;
  readonly multipart: GcsMultipart;

  constructor(private readonly options: GcsBackendOptions) {
    this.opts = resolveGcsOptions(options);
    this.client = new GcsBucketClient(this.opts);
    this.multipart = new GcsMultipart(this);
  }

  get writable(): boolean {
    return !this.opts.readOnly && this.opts.tokens !== undefined;
  }

  /** The same bucket and prefix, refusing writes. */
  readOnlyView(): GcsBackend {
    return new GcsBackend({ ...this.options, readOnly: true });
  }

  assertWritable(): void {
    if (this.opts.readOnly) throw new WriteNotAllowedError('storage backend connection is read-only');
    if (!this.opts.tokens) throw new WriteNotAllowedError('storage backend connection has no credentials to write with');
  }

  /** The object name of `key`, or UnsupportedKey. */
  objectName(key: string): string {
    const problem = objectNameProblem(this.opts.prefix, key, this.opts.multipartPrefix);
    if (problem) throw new UnsupportedKeyError(key, problem);
    return this.opts.prefix + key;
  }

  /** The object's resource, unconditionally. */
  async resource(key: string, signal?: AbortSignal): Promise<GcsObject> {
    // A key no object can be named after is not there.
    if (objectNameProblem(this.opts.prefix, key, this.opts.multipartPrefix)) throw new ObjectNotFoundError(key);
    try {
      return await this.client.metadata(this.opts.prefix + key, signal);
    } catch (err) {
      throw mapObjectError(err, key);
    }
  }

  async head(key: string, options: { conditions?: ReadConditions; signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const info = objectInfo(key, await this.resource(key, options.signal));
    applyConditions(info, options.conditions);
    return info;
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.getOnce(key, options);
      if (result !== 'changed') return result;
      if (attempt >= PINNED_READ_ATTEMPTS) throw new PreconditionFailedError('If-Match');
    }
  }

  /** One read; 'changed' when the generation checked was replaced before it could be downloaded. */
  private async getOnce(key: string, options: GetOptions): Promise<GetResult | 'changed'> {
    const { range, conditions, signal } = options;
    const object = await this.resource(key, signal);
    const info = objectInfo(key, object);
    applyConditions(info, conditions);
    let wanted: { start: number; end: number } | undefined;
    if (range) {
      const resolved = resolveRange(range, info.size);
      if (resolved === 'unsatisfiable') throw new RangeNotSatisfiableError(info.size);
      wanted = resolved;
    }
    let res: OutboundResponse;
    try {
      res = await this.client.download(object.name, object.generation, wanted && `bytes=${wanted.start}-${wanted.end}`, signal);
    } catch (err) {
      if (err instanceof GcsResponseError && (err.status === 412 || err.status === 404)) return 'changed';
      throw mapObjectError(err, key);
    }
    if (!wanted) return { info, body: res.body };
    const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
    if (res.status === 206 && contentRange && Number(contentRange[1]) === wanted.start && Number(contentRange[2]) === wanted.end) {
      return { info, body: res.body, range: wanted };
    }
    // The whole object came back: that is the range asked for only when the range covers all of it.
    if (res.status === 200 && wanted.start === 0 && wanted.end === info.size - 1) return { info, body: res.body, range: wanted };
    discardBody(res.body);
    throw new BackendError('storage backend answered a ranged read with other bytes than asked for');
  }

  async list(params: ListParams): Promise<ListResult> {
    try {
      return await listObjects(this.client, this.opts.prefix, this.opts.multipartPrefix, params);
    } catch (err) {
      throw mapBucketError(err);
    }
  }

  async put(key: string, body: Body, metadata: ObjectMetadata, options: PutOptions = {}): Promise<PutResult> {
    return this.write(key, body, metadata, undefined, 'If-Match', options);
  }

  async conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options: PutOptions = {}): Promise<PutResult> {
    let generation: GenerationConditions;
    try {
      this.assertWritable();
      generation = await this.generationConditions(key, conditions, options.signal);
    } catch (err) {
      discardBody(body);
      throw err;
    }
    return this.write(key, body, metadata, generation, conditionName(conditions), options);
  }

  /**
   * S3 write conditions as the generation precondition GCS checks at its
   * commit: `0` for If-None-Match: *, the current generation once its ETag
   * matched If-Match (so a write in between fails the commit with 412).
   */
  async generationConditions(key: string, conditions: WriteConditions, signal?: AbortSignal): Promise<GenerationConditions> {
    if (conditions.ifMatch === undefined) return conditions.ifNoneMatch === '*' ? { ifGenerationMatch: '0' } : {};
    const current = await this.resource(key, signal);
    if (!etagListMatches(conditions.ifMatch, objectInfo(key, current).etag)) throw new PreconditionFailedError('If-Match');
    // Both conditions: an object exists, so If-None-Match: * cannot hold.
    if (conditions.ifNoneMatch === '*') throw new PreconditionFailedError('If-None-Match');
    return { ifGenerationMatch: current.generation };
  }

  /** Upload `body` as the object's new content; `conditions` are checked by GCS at the commit. */
  private async write(key: string, body: Body, metadata: ObjectMetadata, conditions: GenerationConditions | undefined, condition: string, options: PutOptions): Promise<PutResult> {
    let name: string;
    let resource;
    try {
      this.assertWritable();
      name = this.objectName(key);
      resource = objectWrite(metadata);
    } catch (err) {
      discardBody(body);
      throw err;
    }
    try {
      const { md5Hex } = await uploadObject(this.client, body, {
        resource: { ...resource, name },
        ...(conditions && { conditions }),
        ...(metadata.checksum && { checksum: metadata.checksum }),
        ...(options.signal && { signal: options.signal }),
      });
      return { etag: `"${md5Hex}"` };
    } catch (err) {
      throw mapObjectError(err, key, condition);
    }
  }

  async delete(key: string): Promise<void> {
    this.assertWritable();
    if (objectNameProblem(this.opts.prefix, key, this.opts.multipartPrefix)) return;
    try {
      await this.client.delete(this.opts.prefix + key);
    } catch (err) {
      // S3 answers 204 for a missing key.
      if (err instanceof GcsResponseError && err.status === 404 && mapObjectError(err, key) instanceof ObjectNotFoundError) return;
      throw mapObjectError(err, key);
    }
  }

  /**
   * `rewrite` within the bucket, pinned to the source generation whose
   * conditions were checked. Kept metadata travels with the object; a
   * replacement carries the source's multipart ETag and part sizes over, so
   * the copy's S3 ETag stays the source's.
   */
  async copy(sourceKey: string, destinationKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    this.assertWritable();
    const { signal } = options;
    const source = await this.resource(sourceKey, signal);
    applyConditions(objectInfo(sourceKey, source), options.conditions);
    const destination = this.objectName(destinationKey);
    let replacement;
    if (options.metadata) {
      const carried: Record<string, string> = {};
      for (const name of [RESERVED.etag, RESERVED.partSizes]) {
        const value = source.metadata?.[name];
        if (value) carried[name] = value;
      }
      replacement = objectWrite(options.metadata, carried);
    }
    let copied: GcsObject;
    try {
      copied = await this.client.rewrite(source.name, source.generation, destination, replacement, signal);
    } catch (err) {
      if (err instanceof GcsResponseError && err.status === 412) throw new PreconditionFailedError('If-Match');
      if (err instanceof GcsResponseError && err.status === 404) throw new ObjectNotFoundError(sourceKey);
      throw mapObjectError(err, destinationKey);
    }
    const info = objectInfo(destinationKey, copied);
    return { etag: info.etag, lastModified: info.lastModified };
  }

  /** Delete an object by full name, ignoring one already gone. */
  async deleteName(name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.delete(name, undefined, signal);
    } catch (err) {
      if (!(err instanceof GcsResponseError && err.status === 404)) throw err;
    }
  }
}

/** The header a failed generation precondition is reported under. */
export function conditionName(conditions: WriteConditions): string {
  return conditions.ifNoneMatch === '*' ? 'If-None-Match' : 'If-Match';
}
