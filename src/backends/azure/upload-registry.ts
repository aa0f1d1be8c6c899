/**
 * Where the Azure backend keeps what a multipart upload needs beyond its
 * staged blocks: small blobs in a reserved folder, `.sluice/`, under the
 * connection's base prefix. Uncommitted blocks belong to one blob and carry
 * no metadata, so
 *
 * - each upload has a marker blob `.sluice/uploads/{uploadId}` (empty) whose
 *   properties and metadata are the object's-to-be, plus the key it was
 *   created for (base64url) and when; listing the markers lists the uploads;
 * - each part has a record blob `.sluice/parts/{uploadId}/{part number}`
 *   (empty) naming its MD5, size, block count and the attempt whose blocks
 *   hold it; writing it is what makes a part exist, and a re-sent part
 *   replaces it (the record is overwritten, pointing at the new attempt).
 *
 * Nothing under `.sluice/` is ever an object: keys there are refused and
 * listings leave the folder out (`blob-names.ts`, `listing.ts`).
 */
import { BackendError, NoSuchUploadError } from '../../core/backend-errors.ts';
import { fromBase64, toBase64Url } from '../../core/base64.ts';
import { readAll } from '../../core/body.ts';
import type { HeaderMap } from '../../core/http.ts';
import { RESERVED_FOLDER } from './blob-names.ts';
import { blobInfoFromHeaders, UPLOAD_INITIATED_ENTRY, UPLOAD_KEY_ENTRY, type BlobInfo } from './object-headers.ts';
import { encodeBlobPath } from './options.ts';
import { AzureResponseError, consumeBody, type AzureTransport } from './transport.ts';
import { parseListBlobs, type ListedBlob } from './xml.ts';

const UPLOADS = `${RESERVED_FOLDER}uploads/`;
const PARTS = `${RESERVED_FOLDER}parts/`;
const LIST_BODY_LIMIT = 32 * 1024 * 1024;
/** The most uploads read for one ListMultipartUploads (the registry is listed whole, then paged). */
export const MAX_LISTED_UPLOADS = 100_000;
/** Bound on service pages read for one registry listing. */
const MAX_PAGES = 1_000;

/** Upload ids this backend issues: 24 lower-case hex digits (also the tag in its block ids). */
export const UPLOAD_ID = /^[0-9a-f]{24}$/;

export interface UploadMarker {
  key: string;
  initiated: Date;
  /** The marker's properties and metadata: the object's-to-be, as a blob would report them. */
  blob: BlobInfo;
}

export interface PartRecord {
  partNumber: number;
  /** Quoted MD5 of the part's bytes. */
  etag: string;
  size: number;
  /** Blocks staged for the part, indexes 0 … blocks-1 of `attempt`. */
  blocks: number;
  attempt: string;
  lastModified: Date;
}

export interface RegistryHost {
  readonly transport: AzureTransport;
  /** Endpoint, container and base prefix, as in blob URLs. */
  readonly endpoint: string;
  readonly container: string;
  readonly prefix: string;
}

export class UploadRegistry {
  constructor(private readonly host: RegistryHost) {}

  private url(name: string, query = ''): string {
    return `${this.host.endpoint}/${this.host.container}/${encodeBlobPath(this.host.prefix + name)}${query ? `?${query}` : ''}`;
  }

  private markerName(uploadId: string): string {
    return `${UPLOADS}${uploadId}`;
  }

  private partName(uploadId: string, partNumber: number): string {
    return `${PARTS}${uploadId}/${String(partNumber).padStart(5, '0')}`;
  }

  /** Write the marker of a new upload; `headers` are the object's properties and metadata headers. */
  async create(uploadId: string, key: string, headers: HeaderMap, initiated: Date, signal?: AbortSignal): Promise<void> {
    const res = await this.host.transport.send({
      operation: 'PutBlob',
      method: 'PUT',
      url: this.url(this.markerName(uploadId)),
      headers: {
        ...headers,
        'x-ms-blob-type': 'BlockBlob',
        'if-none-match': '*',
        [`x-ms-meta-${UPLOAD_KEY_ENTRY}`]: toBase64Url(new TextEncoder().encode(key)),
        [`x-ms-meta-${UPLOAD_INITIATED_ENTRY}`]: String(initiated.getTime()),
      },
      body: new Uint8Array(0),
      idempotent: false,
      signal,
    });
    await consumeBody(res.body);
  }

  /** The upload's marker, or NoSuchUpload when there is none or it was created for another key. */
  async marker(key: string, uploadId: string, signal?: AbortSignal): Promise<UploadMarker> {
    if (!UPLOAD_ID.test(uploadId)) throw new NoSuchUploadError(uploadId);
    let headers: HeaderMap;
    try {
      const res = await this.host.transport.send({ operation: 'GetBlobProperties', method: 'HEAD', url: this.url(this.markerName(uploadId)), idempotent: true, signal });
      await consumeBody(res.body);
      headers = res.headers;
    } catch (err) {
      if (err instanceof AzureResponseError && err.status === 404) throw new NoSuchUploadError(uploadId);
      throw err;
    }
    const stored = decodeKey(headers[`x-ms-meta-${UPLOAD_KEY_ENTRY}`]);
    if (stored !== key) throw new NoSuchUploadError(uploadId);
    const blob = blobInfoFromHeaders(key, headers, 0);
    return { key, initiated: new Date(Number(headers[`x-ms-meta-${UPLOAD_INITIATED_ENTRY}`] ?? 0)), blob };
  }

  /** Record a part whose blocks are all staged; a record for the same number is replaced. */
  async recordPart(uploadId: string, part: Omit<PartRecord, 'lastModified'>, signal?: AbortSignal): Promise<void> {
    const res = await this.host.transport.send({
      operation: 'PutBlob',
      method: 'PUT',
      url: this.url(this.partName(uploadId, part.partNumber)),
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-meta-md5': part.etag.replace(/"/g, ''),
        'x-ms-meta-size': String(part.size),
        'x-ms-meta-blocks': String(part.blocks),
        'x-ms-meta-attempt': part.attempt,
      },
      body: new Uint8Array(0),
      idempotent: true,
      signal,
    });
    await consumeBody(res.body);
  }

  /** Every recorded part of the upload, by part number. */
  async parts(uploadId: string, signal?: AbortSignal): Promise<Map<number, PartRecord>> {
    const parts = new Map<number, PartRecord>();
    for (const blob of await this.list(`${PARTS}${uploadId}/`, 10_000, signal)) {
      const record = partRecordOf(blob);
      if (record) parts.set(record.partNumber, record);
    }
    return parts;
  }

  /** Every upload's key, id and start (at most `MAX_LISTED_UPLOADS`). */
  async uploads(signal?: AbortSignal): Promise<{ key: string; uploadId: string; initiated: Date }[]> {
    const uploads: { key: string; uploadId: string; initiated: Date }[] = [];
    for (const blob of await this.list(UPLOADS, MAX_LISTED_UPLOADS, signal)) {
      const uploadId = blob.name.slice(this.host.prefix.length + UPLOADS.length);
      const key = decodeKey(blob.metadata[UPLOAD_KEY_ENTRY]);
      if (!UPLOAD_ID.test(uploadId) || key === undefined) continue;
      uploads.push({ key, uploadId, initiated: new Date(Number(blob.metadata[UPLOAD_INITIATED_ENTRY] ?? blob.lastModified.getTime())) });
    }
    return uploads;
  }

  /** Drop the upload's part records, then its marker (a missing one is fine: another call removed it). */
  async remove(uploadId: string, signal?: AbortSignal): Promise<void> {
    for (const partNumber of (await this.parts(uploadId, signal)).keys()) await this.deleteBlob(this.partName(uploadId, partNumber), signal);
    await this.deleteBlob(this.markerName(uploadId), signal);
  }

  /** Whether the upload's marker is still there. */
  async exists(uploadId: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.host.transport.send({ operation: 'GetBlobProperties', method: 'HEAD', url: this.url(this.markerName(uploadId)), idempotent: true, signal });
      await consumeBody(res.body);
      return true;
    } catch (err) {
      if (err instanceof AzureResponseError && err.status === 404) return false;
      throw err;
    }
  }

  async deletePart(uploadId: string, partNumber: number, signal?: AbortSignal): Promise<void> {
    await this.deleteBlob(this.partName(uploadId, partNumber), signal);
  }

  private async deleteBlob(name: string, signal?: AbortSignal): Promise<void> {
    try {
      const res = await this.host.transport.send({ operation: 'DeleteBlob', method: 'DELETE', url: this.url(name), idempotent: true, signal });
      await consumeBody(res.body);
    } catch (err) {
      if (err instanceof AzureResponseError && err.status === 404) return;
      throw err;
    }
  }

  /** The blobs under a reserved folder, with metadata. */
  private async list(folder: string, limit: number, signal?: AbortSignal): Promise<ListedBlob[]> {
    const blobs: ListedBlob[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ restype: 'container', comp: 'list', include: 'metadata', maxresults: '5000', prefix: this.host.prefix + folder });
      if (marker) query.set('marker', marker);
      const res = await this.host.transport.send({
        operation: 'ListBlobs',
        method: 'GET',
        url: `${this.host.endpoint}/${this.host.container}?${query.toString().replace(/\+/g, '%20')}`,
        idempotent: true,
        signal,
      });
      const listed = parseListBlobs(new TextDecoder().decode(await readAll(res.body, LIST_BODY_LIMIT)));
      for (const entry of listed.entries) if (entry.kind === 'blob') blobs.push(entry);
      if (blobs.length > limit) throw new BackendError(`more than ${limit} entries under the upload registry's ${folder}`);
      if (!listed.nextMarker) return blobs;
      marker = listed.nextMarker;
    }
    throw new BackendError('upload registry listing did not end within the page bound');
  }
}

function decodeKey(text: string | undefined): string | undefined {
  if (text === undefined || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(text));
  } catch {
    return undefined;
  }
}

function partRecordOf(blob: ListedBlob): PartRecord | undefined {
  const partNumber = Number(/\/(\d{5})$/.exec(blob.name)?.[1]);
  const { md5, size, blocks, attempt } = blob.metadata;
  if (!Number.isInteger(partNumber) || !md5 || !/^[0-9a-f]{32}$/.test(md5) || !attempt || !/^[0-9a-f]{8}$/.test(attempt)) return undefined;
  const record = { partNumber, etag: `"${md5}"`, size: Number(size), blocks: Number(blocks), attempt, lastModified: blob.lastModified };
  return Number.isSafeInteger(record.size) && Number.isSafeInteger(record.blocks) ? record : undefined;
}
