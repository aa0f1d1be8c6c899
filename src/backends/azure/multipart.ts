/**
 * S3 multipart uploads on Azure block blobs.
 *
 * - CreateMultipartUpload writes the upload's marker (`upload-registry.ts`)
 *   holding the object's properties and metadata; the upload id is 24 random
 *   hex digits, and every later call checks the marker was made for the key
 *   it names (another key: NoSuchUpload).
 * - UploadPart stages the part's bytes as blocks of the destination blob
 *   itself (several blocks when the part is larger than the block size),
 *   under ids holding the upload id, part number, a fresh attempt and the
 *   block's index (`blockId`), then records the part. A re-sent part stages
 *   under a new attempt and its record replaces the earlier one, so
 *   concurrent sends of one part never mix their blocks.
 * - CompleteMultipartUpload checks the named parts as S3 does (InvalidPart,
 *   EntityTooSmall), then commits their blocks in one Put Block List — the
 *   object appears whole or not at all — with the object's metadata, S3's
 *   multipart ETag and the part sizes, and `If-None-Match` / `If-Match` when
 *   asked. The registry entries are removed afterwards.
 * - AbortMultipartUpload removes the registry entries; the staged blocks are
 *   left to the service, which discards uncommitted blocks at the blob's
 *   next commit or after a week.
 *
 * Uncommitted blocks belong to the blob, and a commit discards every block
 * it does not name: a plain PutObject of the key, or completing another
 * upload of it, drops this upload's staged parts (its completion then
 * answers InvalidPart). S3 keeps concurrent uploads of one key apart.
 */
import type { ObjectMetadata, PutOptions, PutResult } from '../../core/backend.ts';
import type {
  CompletedPart, CompleteOptions, ListPartsParams, ListPartsResult, ListUploadsParams, ListUploadsResult, MultipartOperations, WriteConditions,
} from '../../core/backend-capabilities.ts';
import { InvalidPartError, NoSuchUploadError, ObjectTooLargeError, PreconditionFailedError, UnsupportedKeyError } from '../../core/backend-errors.ts';
import { discardBody, type Body } from '../../core/body.ts';
import type { HeaderMap } from '../../core/http.ts';
import { multipartEtag, selectParts } from '../../core/multipart/completion.ts';
import { pageParts, pageUploads } from '../../core/multipart/listing.ts';
import { etagListMatches } from '../../core/s3/conditions.ts';
import { blobNameProblem } from './blob-names.ts';
import { blockId, MAX_BLOCKS, uploadBlocks } from './block-upload.ts';
import { mapBlobError } from './errors.ts';
import { encodePartSizes, ETAG_ENTRY, metadataHeaders, PARTS_ENTRY, type BlobInfo } from './object-headers.ts';
import { AzureResponseError, type AzureTransport } from './transport.ts';
import { UploadRegistry, type UploadMarker } from './upload-registry.ts';

/** What the multipart operations need from the backend that owns them. */
export interface AzureMultipartHost {
  readonly transport: AzureTransport;
  readonly opts: { endpoint: string; container: string; prefix: string; blockSize: number; now: () => Date };
  assertWritable(): void;
  properties(key: string, signal?: AbortSignal): Promise<BlobInfo>;
  stageBlock(key: string, blockId: string, body: Uint8Array, signal?: AbortSignal): Promise<void>;
  commitBlocks(key: string, ids: readonly string[], headers: HeaderMap, signal?: AbortSignal): Promise<unknown>;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The object's metadata as the marker keeps it (the marker's own properties and user metadata). */
function metadataOfMarker(marker: UploadMarker): ObjectMetadata {
  const { info } = marker.blob;
  const metadata: ObjectMetadata = { metadata: { ...info.metadata } };
  for (const field of ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires', 'storageClass', 'tagging'] as const) {
    if (info[field] !== undefined) metadata[field] = info[field];
  }
  return metadata;
}

export class AzureMultipart implements MultipartOperations {
  private readonly registry: UploadRegistry;

  constructor(private readonly host: AzureMultipartHost) {
    this.registry = new UploadRegistry({ transport: host.transport, endpoint: host.opts.endpoint, container: host.opts.container, prefix: host.opts.prefix });
  }

  async create(key: string, metadata: ObjectMetadata, options: { signal?: AbortSignal } = {}): Promise<{ uploadId: string }> {
    this.host.assertWritable();
    const problem = blobNameProblem(key);
    if (problem) throw new UnsupportedKeyError(key, problem);
    const headers = metadataHeaders(metadata);
    const uploadId = randomHex(12);
    try {
      await this.registry.create(uploadId, key, headers, this.host.opts.now(), options.signal);
    } catch (err) {
      throw mapBlobError(err, key);
    }
    return { uploadId };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    const { signal } = options;
    try {
      this.host.assertWritable();
      await this.marker(key, uploadId, signal);
    } catch (err) {
      discardBody(body);
      throw err;
    }
    const attempt = randomHex(4);
    try {
      const staged = await uploadBlocks(
        body,
        this.host.opts.blockSize,
        (index) => blockId({ tag: uploadId, partNumber, attempt, index }),
        { stageBlock: (id, bytes) => this.host.stageBlock(key, id, bytes, signal), commit: async () => {} },
        signal,
      );
      const etag = `"${staged.md5Hex}"`;
      await this.registry.recordPart(uploadId, { partNumber, etag, size: staged.size, blocks: staged.blocks, attempt }, signal);
      // Completed or aborted while the part streamed: take the record back, as S3 answers.
      if (!(await this.registry.exists(uploadId, signal))) {
        await this.registry.deletePart(uploadId, partNumber, signal);
        throw new NoSuchUploadError(uploadId);
      }
      return { etag };
    } catch (err) {
      throw mapBlobError(err, key);
    }
  }

  async complete(key: string, uploadId: string, parts: readonly CompletedPart[], options: CompleteOptions = {}): Promise<PutResult> {
    const { signal, conditions } = options;
    this.host.assertWritable();
    const marker = await this.marker(key, uploadId, signal);
    let chosen;
    let headers: HeaderMap;
    try {
      chosen = selectParts(parts, await this.registry.parts(uploadId, signal));
      headers = metadataHeaders(metadataOfMarker(marker));
    } catch (err) {
      throw mapBlobError(err, key);
    }
    const ids = chosen.flatMap((part) => Array.from({ length: part.blocks }, (_, index) => blockId({ tag: uploadId, partNumber: part.partNumber, attempt: part.attempt, index })));
    if (ids.length > MAX_BLOCKS) throw new ObjectTooLargeError(MAX_BLOCKS * this.host.opts.blockSize);
    const etag = multipartEtag(chosen.map((part) => part.etag));
    headers[`x-ms-meta-${ETAG_ENTRY}`] = etag.replace(/"/g, '');
    const sizes = encodePartSizes(chosen.map((part) => part.size));
    if (sizes !== undefined) headers[`x-ms-meta-${PARTS_ENTRY}`] = sizes;
    if (conditions?.ifNoneMatch === '*') headers['if-none-match'] = '*';
    if (conditions?.ifMatch !== undefined) {
      const current = await this.host.properties(key, signal);
      if (!etagListMatches(conditions.ifMatch, current.info.etag)) throw new PreconditionFailedError('If-Match');
      headers['if-match'] = current.azureEtag;
    }
    try {
      await this.host.commitBlocks(key, ids, headers, signal);
    } catch (err) {
      if (err instanceof AzureResponseError && conditions && (err.status === 409 || err.status === 412)) {
        throw new PreconditionFailedError(conditions.ifNoneMatch ? 'If-None-Match' : 'If-Match');
      }
      // The blob no longer holds the staged blocks: another commit to the key discarded them.
      if (err instanceof AzureResponseError && err.status === 400 && err.code === 'InvalidBlockList') {
        throw new InvalidPartError(chosen[0]?.partNumber ?? 1, chosen[0]?.etag ?? '');
      }
      throw mapBlobError(err, key);
    }
    // The object is committed; a registry entry left behind only lists as a stale upload until aborted.
    await this.registry.remove(uploadId, signal).catch(() => {});
    return { etag };
  }

  async abort(key: string, uploadId: string): Promise<void> {
    this.host.assertWritable();
    await this.marker(key, uploadId);
    try {
      await this.registry.remove(uploadId);
    } catch (err) {
      throw mapBlobError(err, key);
    }
  }

  async listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult> {
    await this.marker(key, uploadId, params.signal);
    try {
      const records = await this.registry.parts(uploadId, params.signal);
      return pageParts([...records.values()].map(({ partNumber, etag, size, lastModified }) => ({ partNumber, etag, size, lastModified })), params);
    } catch (err) {
      throw mapBlobError(err, key);
    }
  }

  async listUploads(params: ListUploadsParams): Promise<ListUploadsResult> {
    try {
      return pageUploads(await this.registry.uploads(params.signal), params);
    } catch (err) {
      throw mapBlobError(err, params.prefix);
    }
  }

  private async marker(key: string, uploadId: string, signal?: AbortSignal): Promise<UploadMarker> {
    if (blobNameProblem(key)) throw new NoSuchUploadError(uploadId);
    try {
      return await this.registry.marker(key, uploadId, signal);
    } catch (err) {
      throw mapBlobError(err, key);
    }
  }
}
