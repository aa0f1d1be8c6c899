/**
 * `Backend` over Azure Blob Storage (block blobs), and Azurite.
 *
 * Keys are the gateway's bucket-relative keys; the connection's base prefix
 * is added on the way out and stripped on the way back. Reads stream the
 * service's response body as it is. Uploads are staged as blocks and
 * committed only once the body ended cleanly (`block-upload.ts`). S3 ETags
 * and Azure's differ, so read and write preconditions are evaluated against
 * the S3 ETag and the request to Azure is pinned to the version checked
 * (`If-Match` with Azure's own tag).
 */
import {
  BackendError,
  BackendUnavailableError,
  ObjectNotFoundError,
  UnsupportedKeyError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  WriteNotAllowedError,
} from '../../core/backend-errors.ts';
import type { CopyOptions, CopyResult, WriteConditions } from '../../core/backend-capabilities.ts';
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
import { applyConditions, etagListMatches } from '../../core/s3/conditions.ts';
import { resolveRange } from '../../core/s3/range.ts';
import { createAuthorizer, type RequestAuthorizer } from './auth.ts';
import { blobNameProblem, toBlobName } from './blob-names.ts';
import { uploadBlockId, uploadBlocks } from './block-upload.ts';
import { mapBlobError, mapContainerError } from './errors.ts';
import { listObjects } from './listing.ts';
import { AzureMultipart } from './multipart.ts';
import { blobInfoFromHeaders, checksumHeaders, encodePartSizes, ETAG_ENTRY, PARTS_ENTRY, md5Base64, metadataHeaders, type BlobInfo } from './object-headers.ts';
import { encodeBlobPath, resolveAzureOptions, type AzureBackendOptions, type ResolvedAzureOptions } from './options.ts';
import { AzureResponseError, AzureTransport, consumeBody } from './transport.ts';
import { parseListBlobs } from './xml.ts';

const LIST_BODY_LIMIT = 32 * 1024 * 1024;
/** Tries of a read whose object changed between the precondition check and the read. */
const PINNED_READ_ATTEMPTS = 3;

/** 24 random lower-case hex digits: a plain upload's block tag, and a multipart upload's id. */
export function randomTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class AzureBackend implements Backend {
  readonly kind = 'azure';
  readonly opts: ResolvedAzureOptions;
  readonly transport: AzureTransport;
  /** Multipart uploads staged as blocks of the destination blob (`multipart.ts`). */
  readonly multipart: AzureMultipart;
  private readonly authorizer: RequestAuthorizer;

  constructor(private readonly options: AzureBackendOptions) {
    this.opts = resolveAzureOptions(options);
    this.authorizer = createAuthorizer(this.opts.account, this.opts.auth);
    this.transport = new AzureTransport({ ...this.opts, authorizer: this.authorizer });
    this.multipart = new AzureMultipart(this);
  }

  get writable(): boolean {
    return !this.opts.readOnly && this.authorizer.canWrite;
  }

  /** The same container and prefix, refusing writes. */
  readOnlyView(): AzureBackend {
    return new AzureBackend({ ...this.options, readOnly: true });
  }

  assertWritable(): void {
    if (this.opts.readOnly) throw new WriteNotAllowedError('storage backend connection is read-only');
    if (!this.authorizer.canWrite) throw new WriteNotAllowedError('storage backend connection has no credentials to write with');
  }

  /** The blob's URL, with an optional query (already encoded). */
  blobUrl(key: string, query = ''): string {
    const problem = blobNameProblem(key);
    if (problem) throw new UnsupportedKeyError(key, problem);
    return `${this.opts.endpoint}/${this.opts.container}/${encodeBlobPath(this.opts.prefix + toBlobName(key))}${query ? `?${query}` : ''}`;
  }

  private containerUrl(query: string): string {
    return `${this.opts.endpoint}/${this.opts.container}?${query}`;
  }

  /** Get Blob Properties, unconditionally. */
  async properties(key: string, signal?: AbortSignal): Promise<BlobInfo> {
    // A key no blob can be named after is not there.
    if (blobNameProblem(key)) throw new ObjectNotFoundError(key);
    let res: OutboundResponse;
    try {
      res = await this.transport.send({ operation: 'GetBlobProperties', method: 'HEAD', url: this.blobUrl(key), idempotent: true, signal });
    } catch (err) {
      throw mapBlobError(err, key);
    }
    await consumeBody(res.body);
    return blobInfoFromHeaders(key, res.headers, Number(res.headers['content-length'] ?? 0));
  }

  async head(key: string, options: { conditions?: ReadConditions; signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const { info } = await this.properties(key, options.signal);
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

  /** One read; 'changed' when the version checked was replaced before it could be read. */
  private async getOnce(key: string, options: GetOptions): Promise<GetResult | 'changed'> {
    const headers: HeaderMap = {};
    const { range, conditions, signal } = options;
    if (blobNameProblem(key)) throw new ObjectNotFoundError(key);
    let known: BlobInfo | undefined;
    if (conditions || range?.kind === 'suffix') {
      known = await this.properties(key, signal);
      applyConditions(known.info, conditions);
      headers['if-match'] = known.azureEtag;
    }
    if (range) {
      if (known) {
        const resolved = resolveRange(range, known.info.size);
        if (resolved === 'unsatisfiable') throw new RangeNotSatisfiableError(known.info.size);
        headers['x-ms-range'] = `bytes=${resolved.start}-${resolved.end}`;
      } else if (range.kind === 'bounded') {
        headers['x-ms-range'] = `bytes=${range.first}-${range.last}`;
      } else if (range.kind === 'from') {
        headers['x-ms-range'] = `bytes=${range.first}-`;
      }
    }
    let res: OutboundResponse;
    try {
      res = await this.transport.send({ operation: 'GetBlob', method: 'GET', url: this.blobUrl(key), headers, idempotent: true, signal });
    } catch (err) {
      if (err instanceof AzureResponseError && err.status === 412 && known) return 'changed';
      if (err instanceof AzureResponseError && err.status === 416) {
        throw new RangeNotSatisfiableError((await this.properties(key, signal)).info.size);
      }
      throw mapBlobError(err, key);
    }
    const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
    const size = contentRange ? Number(contentRange[3]) : Number(res.headers['content-length'] ?? 0);
    const { info } = blobInfoFromHeaders(key, res.headers, size);
    if (!range) return { info, body: res.body };
    const wanted = resolveRange(range, size);
    if (wanted === 'unsatisfiable') {
      await consumeBody(res.body);
      throw new RangeNotSatisfiableError(size);
    }
    if (contentRange) return { info, body: res.body, range: { start: Number(contentRange[1]), end: Number(contentRange[2]) } };
    // The whole blob came back: that is the range asked for only when the range covers all of it.
    if (wanted.start === 0 && wanted.end === size - 1) return { info, body: res.body, range: wanted };
    discardBody(res.body);
    throw new BackendError('storage backend answered a ranged read with the whole blob');
  }

  async list(params: ListParams): Promise<ListResult> {
    return listObjects(
      async ({ prefix, delimiter, marker, maxResults }) => {
        const query = new URLSearchParams({ restype: 'container', comp: 'list', include: 'metadata', maxresults: String(maxResults) });
        if (prefix) query.set('prefix', prefix);
        if (delimiter) query.set('delimiter', delimiter);
        if (marker) query.set('marker', marker);
        try {
          const res = await this.transport.send({
            operation: 'ListBlobs',
            method: 'GET',
            url: this.containerUrl(query.toString().replace(/\+/g, '%20')),
            idempotent: true,
            signal: params.signal,
          });
          return parseListBlobs(new TextDecoder().decode(await readAll(res.body, LIST_BODY_LIMIT)));
        } catch (err) {
          throw mapContainerError(err);
        }
      },
      this.opts.prefix,
      params,
    );
  }

  async put(key: string, body: Body, metadata: ObjectMetadata, options: PutOptions = {}): Promise<PutResult> {
    return this.write(key, body, metadata, {}, options);
  }

  async conditionalPut(key: string, body: Body, metadata: ObjectMetadata, conditions: WriteConditions, options: PutOptions = {}): Promise<PutResult> {
    const headers: HeaderMap = {};
    try {
      this.assertWritable();
      if (conditions.ifNoneMatch === '*') headers['if-none-match'] = '*';
      if (conditions.ifMatch !== undefined) {
        const { info, azureEtag } = await this.properties(key, options.signal);
        if (!etagListMatches(conditions.ifMatch, info.etag)) throw new PreconditionFailedError('If-Match');
        headers['if-match'] = azureEtag;
      }
    } catch (err) {
      discardBody(body);
      throw err;
    }
    return this.write(key, body, metadata, headers, options);
  }

  /** Upload `body` as the blob's new content; `conditions` are Azure headers on the committing request. */
  private async write(key: string, body: Body, metadata: ObjectMetadata, conditions: HeaderMap, options: PutOptions): Promise<PutResult> {
    let headers: HeaderMap;
    try {
      this.assertWritable();
      const problem = blobNameProblem(key);
      if (problem) throw new UnsupportedKeyError(key, problem);
      headers = metadataHeaders(metadata);
    } catch (err) {
      discardBody(body);
      throw err;
    }
    const condition = conditions['if-none-match'] ? 'If-None-Match' : 'If-Match';
    const signal = options.signal;
    const tag = randomTag();
    try {
      const { md5Hex } = await uploadBlocks(body, this.opts.blockSize, (index) => uploadBlockId(tag, index), {
        putWhole: async (bytes, md5) => {
          const res = await this.transport.send({
            operation: 'PutBlob',
            method: 'PUT',
            url: this.blobUrl(key),
            headers: { ...headers, ...checksumHeaders(metadata), ...conditions, 'x-ms-blob-type': 'BlockBlob', 'content-md5': md5Base64(md5) },
            body: bytes,
            idempotent: Object.keys(conditions).length === 0,
            signal,
          });
          await consumeBody(res.body);
        },
        stageBlock: (id, bytes) => this.stageBlock(key, id, bytes, signal),
        commit: async (ids, md5) => void await this.commitBlocks(key, ids, { ...headers, ...checksumHeaders(metadata), ...conditions, 'x-ms-blob-content-md5': md5Base64(md5) }, signal),
      }, signal);
      return { etag: `"${md5Hex}"` };
    } catch (err) {
      if (err instanceof AzureResponseError && (err.status === 409 || err.status === 412) && Object.keys(conditions).length > 0) {
        throw new PreconditionFailedError(condition);
      }
      throw mapBlobError(err, key);
    }
  }

  async stageBlock(key: string, blockId: string, body: Uint8Array | Body, signal?: AbortSignal, contentLength?: number): Promise<void> {
    const headers: HeaderMap = contentLength !== undefined ? { 'content-length': String(contentLength) } : {};
    const res = await this.transport.send({
      operation: 'PutBlock',
      method: 'PUT',
      url: this.blobUrl(key, `comp=block&blockid=${encodeURIComponent(blockId)}`),
      headers,
      body,
      idempotent: true,
      signal,
    });
    await consumeBody(res.body);
  }

  async commitBlocks(key: string, ids: readonly string[], headers: HeaderMap, signal?: AbortSignal): Promise<OutboundResponse> {
    const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    const res = await this.transport.send({
      operation: 'PutBlockList',
      method: 'PUT',
      url: this.blobUrl(key, 'comp=blocklist'),
      headers: { ...headers, 'content-type': 'application/xml' },
      body: new TextEncoder().encode(xml),
      idempotent: headers['if-match'] === undefined && headers['if-none-match'] === undefined,
      signal,
    });
    await consumeBody(res.body);
    return res;
  }

  async delete(key: string): Promise<void> {
    this.assertWritable();
    if (blobNameProblem(key)) return;
    try {
      const res = await this.transport.send({
        operation: 'DeleteBlob',
        method: 'DELETE',
        url: this.blobUrl(key),
        headers: { 'x-ms-delete-snapshots': 'include' },
        idempotent: true,
      });
      await consumeBody(res.body);
    } catch (err) {
      // S3 answers 204 for a missing key.
      if (err instanceof AzureResponseError && err.status === 404 && err.code !== 'ContainerNotFound') return;
      throw mapBlobError(err, key);
    }
  }

  /**
   * Copy Blob within the account. The copy keeps the source's properties and
   * metadata; replacement metadata is set on the copy afterwards (Set Blob
   * Properties and Set Blob Metadata), carrying the content MD5 and a
   * multipart ETag over so the copy's S3 ETag stays the source's.
   */
  async copy(sourceKey: string, destinationKey: string, options: CopyOptions = {}): Promise<CopyResult> {
    this.assertWritable();
    const { signal } = options;
    const source = await this.properties(sourceKey, signal);
    applyConditions(source.info, options.conditions);
    const replacement = options.metadata ? metadataHeaders(options.metadata) : undefined;
    const sourceUrl = this.authorizer.url(this.blobUrl(sourceKey));
    let res: OutboundResponse;
    try {
      res = await this.transport.send({
        operation: 'CopyBlob',
        method: 'PUT',
        url: this.blobUrl(destinationKey),
        headers: { 'x-ms-copy-source': sourceUrl, 'x-ms-source-if-match': source.azureEtag },
        idempotent: true,
        signal,
      });
      await consumeBody(res.body);
    } catch (err) {
      if (err instanceof AzureResponseError && err.status === 412) throw new PreconditionFailedError('If-Match');
      throw mapBlobError(err, sourceKey);
    }
    await this.awaitCopy(destinationKey, res.headers, signal);
    if (replacement) {
      const md5 = /^"([0-9a-f]{32})"$/.exec(source.info.etag);
      const stored = /^"([0-9a-f]{32}-\d+)"$/.exec(source.info.etag);
      const properties: HeaderMap = { ...pick(replacement, 'x-ms-blob-') };
      if (md5) properties['x-ms-blob-content-md5'] = md5Base64(md5[1]!);
      const meta: HeaderMap = { ...pick(replacement, 'x-ms-meta-') };
      if (stored) meta[`x-ms-meta-${ETAG_ENTRY}`] = stored[1]!;
      const parts = source.info.partSizes && encodePartSizes(source.info.partSizes);
      if (stored && parts) meta[`x-ms-meta-${PARTS_ENTRY}`] = parts;
      for (const [query, headers, operation] of [
        ['comp=properties', properties, 'SetBlobProperties'],
        ['comp=metadata', meta, 'SetBlobMetadata'],
      ] as const) {
        try {
          const set = await this.transport.send({ operation, method: 'PUT', url: this.blobUrl(destinationKey, query), headers, idempotent: true, signal });
          await consumeBody(set.body);
        } catch (err) {
          throw mapBlobError(err, destinationKey);
        }
      }
    }
    const { info } = await this.properties(destinationKey, signal);
    return { etag: info.etag, lastModified: info.lastModified };
  }

  /** Copy Blob may finish later for large blobs: wait (bounded) until it has. */
  private async awaitCopy(key: string, headers: HeaderMap, signal?: AbortSignal): Promise<void> {
    let status = headers['x-ms-copy-status'];
    for (let poll = 0; status === 'pending'; poll++) {
      if (poll >= 600) throw new BackendUnavailableError('storage backend copy did not finish', { key });
      await this.opts.sleep(Math.min(1000, 50 * 2 ** poll));
      const res = await this.transport.send({ operation: 'GetBlobProperties', method: 'HEAD', url: this.blobUrl(key), idempotent: true, signal });
      await consumeBody(res.body);
      status = res.headers['x-ms-copy-status'];
    }
    if (status !== undefined && status !== 'success') throw mapBlobError(new AzureResponseError('CopyBlob', 500, headers, { code: `copy ${status}` }), key);
  }
}

function pick(headers: HeaderMap, prefix: string): HeaderMap {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith(prefix)));
}
