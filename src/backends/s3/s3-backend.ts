/**
 * `Backend` over any S3-compatible endpoint (AWS S3, MinIO, R2, moto, …).
 *
 * Object keys are the bucket-relative keys of the gateway; the connection's
 * base prefix is added on the way out and stripped on the way back. Bodies
 * stream both ways: a GET hands back the HTTP client's response body as is,
 * once its first byte is in.
 */
import { signRequest } from '../../auth/sigv4/sign-request.ts';
import { BackendError, NotModifiedError, RangeNotSatisfiableError, WriteNotAllowedError } from '../../core/backend-errors.ts';
import type {
  Backend,
  GetOptions,
  GetResult,
  ListParams,
  ListResult,
  ObjectInfo,
  ObjectMetadata,
  PutOptions,
  PutResult,
  ReadConditions,
} from '../../core/backend.ts';
import { discardBody, readAll, type Body } from '../../core/body.ts';
import type { HeaderMap, OutboundResponse } from '../../core/http.ts';
import { bucketUrl, encodeQuery, objectUrl } from './addressing.ts';
import { type BreakerSnapshot, CircuitBreaker } from './circuit-breaker.ts';
import { mapBucketError, mapObjectError, sizeFromRangeError } from './errors.ts';
import { metadataHeaders, readHeaders, objectInfoFromHeaders, parseContentRange, rangeHeader } from './object-headers.ts';
import { resolveS3Options, type ResolvedS3Options, type S3BackendOptions } from './options.ts';
import { consumeBody, S3ResponseError, S3Transport, type SignFunction } from './transport.ts';
import { S3Multipart } from './multipart.ts';
import { putUnsized } from './unsized-put.ts';
import { putConditionally } from './conditional-put.ts';
import type { ConditionalWrites, PartRead, PartReads, WriteConditions } from '../../core/backend-capabilities.ts';
import { S3Error } from '../../core/errors/s3-error.ts';
import { parseListObjectsV2, quoteEtag } from './xml.ts';

const LIST_BODY_LIMIT = 16 * 1024 * 1024;


export class S3Backend implements Backend, ConditionalWrites, PartReads {
  readonly kind = 's3';

  get writable(): boolean {
    return !this.opts.readOnly && this.opts.credentials !== undefined;
  }
  private readonly opts: ResolvedS3Options;
  private readonly transport: S3Transport;

  private readonly breaker: CircuitBreaker | undefined;

  constructor(
    private readonly options: S3BackendOptions,
    private readonly sign: SignFunction = signRequest,
    /** A view of a connection shares its breaker (see `readOnlyView`). */
    sharedBreaker?: CircuitBreaker,
  ) {
    this.opts = resolveS3Options(options);
    const breaker = this.opts.circuitBreaker;
    this.breaker = sharedBreaker ?? (breaker === false ? undefined : new CircuitBreaker({
      name: this.opts.name,
      failureThreshold: breaker.failureThreshold,
      coolDownMs: breaker.coolDownMs,
      now: () => this.opts.now().getTime(),
      log: this.opts.log,
    }));
    this.transport = new S3Transport(this.opts, sign, this.breaker);
    this.multipart = new S3Multipart({ opts: this.opts, transport: this.transport, assertWritable: () => this.assertWritable() });
  }

  /** Multipart uploads, mapped to the store's own. */
  readonly multipart: S3Multipart;

  /** The same bucket and prefix, refusing writes; one circuit breaker for both. */
  readOnlyView(): S3Backend {
    return new S3Backend({ ...this.options, readOnly: true }, this.sign, this.breaker);
  }

  /** The connection's circuit breaker state (for readiness reporting); undefined when it is turned off. */
  circuitState(): (BreakerSnapshot & { affectsReadiness: boolean }) | undefined {
    const breaker = this.opts.circuitBreaker;
    return this.breaker && breaker ? { ...this.breaker.snapshot(), affectsReadiness: breaker.affectsReadiness } : undefined;
  }

  /** Writes need a writable connection that can sign: anonymous access is for reading public data. */
  private assertWritable(): void {
    if (this.opts.readOnly) throw new WriteNotAllowedError('storage backend connection is read-only');
    if (!this.opts.credentials) throw new WriteNotAllowedError('storage backend connection has no credentials to write with');
  }

  private fullKey(key: string): string {
    return this.opts.prefix + key;
  }

  /** A 304 must carry the ETag (RFC 9110 §15.4.5); for servers that leave it out, ask with a plain HEAD. */
  private async notModified(key: string, headers: HeaderMap, signal: AbortSignal | undefined): Promise<NotModifiedError> {
    if (headers['etag']) return new NotModifiedError(quoteEtag(headers['etag']), new Date(headers['last-modified'] ?? 0));
    const info = await this.head(key, { signal });
    return new NotModifiedError(info.etag, info.lastModified);
  }

  async head(key: string, options: { conditions?: ReadConditions; signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    let res: OutboundResponse;
    try {
      res = await this.transport.send({
        operation: 'HeadObject',
        method: 'HEAD',
        url: objectUrl(this.opts, this.fullKey(key)),
        headers: readHeaders(options.conditions),
        idempotent: true,
        signal: options.signal,
      });
    } catch (err) {
      throw mapObjectError(err, key, options.conditions);
    }
    await consumeBody(res.body);
    if (res.status === 304) throw await this.notModified(key, res.headers, options.signal);
    return objectInfoFromHeaders(key, res.headers);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const headers = readHeaders(options.conditions);
    if (options.range) headers['range'] = rangeHeader(options.range);
    let res: OutboundResponse;
    try {
      res = await this.transport.send({
        operation: 'GetObject',
        method: 'GET',
        url: objectUrl(this.opts, this.fullKey(key)),
        headers,
        idempotent: true,
        // A store lost between the headers and the first byte is retried or answered 503, never an empty 200.
        // An empty object has no first byte (and some servers announce one for its ranges and never send it).
        awaitFirstByte: (status, headers) => status < 300 && !/\/0$/.test(headers['content-range'] ?? ''),
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof S3ResponseError && err.status === 416 && sizeFromRangeError(err) === undefined) {
        // Some servers leave the size out of a 416; ask for it.
        throw new RangeNotSatisfiableError((await this.head(key, { signal: options.signal })).size);
      }
      throw mapObjectError(err, key, options.conditions);
    }
    if (res.status === 304) {
      await consumeBody(res.body);
      throw await this.notModified(key, res.headers, options.signal);
    }
    const info = objectInfoFromHeaders(key, res.headers);
    if (options.range && info.size === 0) {
      // No range of an empty object is satisfiable (RFC 9110 §14.1.1); some servers answer 200 or 206 anyway.
      await consumeBody(res.body);
      throw new RangeNotSatisfiableError(0);
    }
    const { range } = res.status === 206 ? parseContentRange(res.headers['content-range']) : {};
    return range ? { info, body: res.body, range } : { info, body: res.body };
  }

  /** GetObject / HeadObject with `partNumber`, forwarded: the store knows its objects' parts. */
  async readPart(key: string, partNumber: number, options: { head: boolean; conditions?: ReadConditions; signal?: AbortSignal }): Promise<PartRead> {
    let res: OutboundResponse;
    try {
      res = await this.transport.send({
        operation: options.head ? 'HeadObject' : 'GetObject',
        method: options.head ? 'HEAD' : 'GET',
        url: objectUrl(this.opts, this.fullKey(key), encodeQuery({ partNumber: String(partNumber) })),
        headers: readHeaders(options.conditions),
        idempotent: true,
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof S3ResponseError && (err.code === 'InvalidPartNumber' || err.status === 416)) {
        throw new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable', { PartNumberRequested: String(partNumber) });
      }
      throw mapObjectError(err, key, options.conditions);
    }
    if (options.head) await consumeBody(res.body);
    if (res.status === 304) {
      if (!options.head) await consumeBody(res.body);
      throw await this.notModified(key, res.headers, options.signal);
    }
    const info = objectInfoFromHeaders(key, res.headers);
    const { range } = res.status === 206 ? parseContentRange(res.headers['content-range']) : {};
    const count = Number(res.headers['x-amz-mp-parts-count']);
    // A store that ignored partNumber answers the whole object: never serve that as the part.
    const wholeIsThePart = partNumber === 1 && !/-\d+"$/.test(info.etag);
    if (range === undefined && !(Number.isSafeInteger(count) && count > 0) && !wholeIsThePart) {
      if (!options.head) discardBody(res.body);
      throw new S3Error('NotImplemented', 'A header or query you provided implies functionality that is not implemented: partNumber on a store that does not serve parts');
    }
    return {
      info,
      ...(range && { range }),
      ...(Number.isSafeInteger(count) && count > 0 && { partsCount: count }),
      ...(!options.head && { body: res.body }),
    };
  }

  async list(params: ListParams): Promise<ListResult> {
    const base = this.opts.prefix;
    const query = encodeQuery({
      'list-type': '2',
      prefix: base + params.prefix || undefined,
      delimiter: params.delimiter,
      'start-after': params.startAfter !== undefined ? base + params.startAfter : undefined,
      'continuation-token': params.continuationToken,
      'max-keys': String(params.maxKeys),
      'encoding-type': 'url',
    });
    let xml: string;
    try {
      const res = await this.transport.send({
        operation: 'ListObjectsV2',
        method: 'GET',
        url: bucketUrl(this.opts, query),
        idempotent: true,
        signal: params.signal,
      });
      xml = new TextDecoder().decode(await readAll(res.body, LIST_BODY_LIMIT));
    } catch (err) {
      throw mapBucketError(err);
    }
    const page = parseListObjectsV2(xml);
    const strip = (key: string): string => {
      if (!key.startsWith(base)) throw new BackendError('storage backend listed a key outside the requested prefix');
      return key.slice(base.length);
    };
    return {
      objects: page.objects.map((o) => ({ ...o, key: strip(o.key) })),
      commonPrefixes: page.commonPrefixes.map(strip),
      isTruncated: page.isTruncated,
      ...(page.nextContinuationToken ? { nextContinuationToken: page.nextContinuationToken } : {}),
    };
  }

  async put(key: string, body: Body, metadata: ObjectMetadata, options: PutOptions = {}): Promise<PutResult> {
    try {
      this.assertWritable();
    } catch (err) {
      discardBody(body);
      throw err;
    }
    const headers = metadataHeaders(metadata);
    try {
      if (options.contentLength === undefined) {
        return await putUnsized(
          { opts: this.opts, transport: this.transport, fullKey: this.fullKey(key), headers, signal: options.signal },
          body,
        );
      }
      headers['content-length'] = String(options.contentLength);
      // A streamed body can be sent only once: the transport never retries it.
      const res = await this.transport.send({
        operation: 'PutObject',
        method: 'PUT',
        url: objectUrl(this.opts, this.fullKey(key)),
        headers,
        body,
        idempotent: false,
        signal: options.signal,
      });
      await consumeBody(res.body);
      return { etag: quoteEtag(res.headers['etag'] ?? '') };
    } catch (err) {
      throw mapObjectError(err, key);
    }
  }

  /** A put the store itself makes conditional (`conditional-put.ts`). */
  async conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options: PutOptions = {}): Promise<PutResult> {
    try {
      this.assertWritable();
    } catch (err) {
      discardBody(body);
      throw err;
    }
    return putConditionally({ opts: this.opts, transport: this.transport, fullKey: this.fullKey(key) }, key, body, metadata, conditions, options);
  }

  async delete(key: string): Promise<void> {
    this.assertWritable();
    try {
      const res = await this.transport.send({
        operation: 'DeleteObject',
        method: 'DELETE',
        url: objectUrl(this.opts, this.fullKey(key)),
        idempotent: true,
      });
      await consumeBody(res.body);
    } catch (err) {
      // S3 answers 204 for a missing key; a server that says 404 means the same.
      if (err instanceof S3ResponseError && err.status === 404 && err.code !== 'NoSuchBucket') return;
      throw mapObjectError(err, key);
    }
  }
}
