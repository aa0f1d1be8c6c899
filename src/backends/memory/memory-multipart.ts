/**
 * Multipart uploads for the memory backend. Parts are held in memory and
 * count against the backend's cap like objects do; completion joins the
 * chosen parts into one object and drops the upload. Upload ids are random
 * and bound to the key they were created for: another key gets NoSuchUpload.
 */
import { type ObjectChecksum, type ObjectMetadata, type PutOptions, type PutResult, settledChecksum } from '../../core/backend.ts';
import type {
  CompleteOptions, CompletedPart, ListPartsParams, WriteConditions, ListPartsResult, ListUploadsParams, ListUploadsResult, MultipartOperations,
} from '../../core/backend-capabilities.ts';
import { NoSuchUploadError, WriteNotAllowedError } from '../../core/backend-errors.ts';
import type { Body } from '../../core/body.ts';
import { completedChecksum } from '../../core/multipart/checksum.ts';
import { multipartEtag, selectParts } from '../../core/multipart/completion.ts';
import { pageParts, pageUploads } from '../../core/multipart/listing.ts';

interface MemoryPart {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
  bytes: Uint8Array;
  checksum?: string;
}

interface MemoryUpload {
  key: string;
  metadata: ObjectMetadata;
  initiated: Date;
  parts: Map<number, MemoryPart>;
}

/** What the multipart operations need from the backend that owns them. */
export interface MemoryMultipartHost {
  readonly readOnly: boolean;
  /** Age after which an abandoned upload is dropped. */
  readonly maxAgeMs: number;
  now(): Date;
  /** Read a part's body within the cap (as a put reads), returning its bytes and MD5. */
  receive(key: string, body: Body, options: PutOptions): Promise<{ bytes: Uint8Array; md5: string }>;
  /** Account for `delta` bytes held by parts (positive when stored, negative when dropped). */
  holdParts(delta: number): void;
  /** Store an assembled object as a put would, once `conditions` hold (in the same synchronous step). */
  commit(key: string, bytes: Uint8Array, metadata: ObjectMetadata, etag: string, partSizes: readonly number[], conditions?: WriteConditions): void;
}

export class MemoryMultipart implements MultipartOperations {
  private readonly uploads = new Map<string, MemoryUpload>();

  constructor(private readonly host: MemoryMultipartHost) {}

  async create(key: string, metadata: ObjectMetadata): Promise<{ uploadId: string }> {
    this.checkWritable();
    this.sweep();
    const uploadId = crypto.randomUUID();
    this.uploads.set(uploadId, { key, metadata: structuredClone(metadata), initiated: this.host.now(), parts: new Map() });
    return { uploadId };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    this.checkWritable();
    this.lookup(key, uploadId);
    const { bytes, md5 } = await this.host.receive(key, body, options);
    // The upload may have been completed or aborted while the part streamed.
    const upload = this.lookup(key, uploadId);
    const etag = `"${md5}"`;
    const previous = upload.parts.get(partNumber);
    this.host.holdParts(bytes.length - (previous?.size ?? 0));
    const checksum = settledChecksum(options.checksum)?.value;
    upload.parts.set(partNumber, { partNumber, etag, size: bytes.length, lastModified: this.host.now(), bytes, ...(checksum !== undefined && { checksum }) });
    return { etag };
  }

  async complete(key: string, uploadId: string, parts: readonly CompletedPart[], options: CompleteOptions = {}): Promise<PutResult & { checksum?: ObjectChecksum }> {
    this.checkWritable();
    const upload = this.lookup(key, uploadId);
    const chosen = selectParts(parts, upload.parts);
    const checksum = options.checksum && completedChecksum(options.checksum, parts, chosen, options.checksum.expected);
    const metadata: ObjectMetadata = { ...upload.metadata };
    delete metadata.checksum;
    if (checksum) metadata.checksum = checksum;
    const total = chosen.reduce((sum, p) => sum + p.size, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const part of chosen) {
      bytes.set(part.bytes, offset);
      offset += part.size;
    }
    const etag = multipartEtag(chosen.map((p) => p.etag));
    // The parts make room for the object they become; if it still does not fit, the upload stays as it was.
    const held = this.drop(uploadId, upload);
    try {
      this.host.commit(key, bytes, metadata, etag, chosen.map((p) => p.size), options.conditions);
    } catch (error) {
      this.uploads.set(uploadId, upload);
      this.host.holdParts(held);
      throw error;
    }
    return { etag, ...(checksum && { checksum }) };
  }

  async abort(key: string, uploadId: string): Promise<void> {
    this.checkWritable();
    this.drop(uploadId, this.lookup(key, uploadId));
  }

  async listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult> {
    const upload = this.lookup(key, uploadId);
    return pageParts([...upload.parts.values()].map(({ bytes: _bytes, ...part }) => ({ ...part, lastModified: new Date(part.lastModified) })), params);
  }

  async listUploads(params: ListUploadsParams): Promise<ListUploadsResult> {
    const all = [...this.uploads].map(([uploadId, u]) => ({ key: u.key, uploadId, initiated: new Date(u.initiated) }));
    return pageUploads(all, params);
  }

  /** Drop uploads begun longer ago than the configured age, releasing their bytes. */
  sweep(): void {
    const now = this.host.now().getTime();
    for (const [uploadId, upload] of this.uploads) {
      if (now - upload.initiated.getTime() > this.host.maxAgeMs) this.drop(uploadId, upload);
    }
  }

  /** Forget the upload and release its parts' bytes; returns how many were released. */
  private drop(uploadId: string, upload: MemoryUpload): number {
    if (!this.uploads.delete(uploadId)) return 0;
    let held = 0;
    for (const part of upload.parts.values()) held += part.size;
    this.host.holdParts(-held);
    return held;
  }

  private lookup(key: string, uploadId: string): MemoryUpload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.key !== key) throw new NoSuchUploadError(uploadId);
    return upload;
  }

  private checkWritable(): void {
    if (this.host.readOnly) throw new WriteNotAllowedError('memory backend is read-only');
  }
}
