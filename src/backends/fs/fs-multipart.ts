/**
 * Multipart uploads for the fs backend. Each upload is a folder in the
 * private area, `.sluice/uploads/<id>/`, holding `upload.json` (key,
 * metadata, when it began) and one file per part named `part-<n>.<md5>`
 * (`part-<n>.<md5>.<checksum in hex>` when the upload has a checksum), so a
 * part's ETag and checksum are in its name and a part appears whole or not at all (it is
 * received into a temp file and renamed in). A re-sent part replaces the
 * earlier one. Completion streams the chosen parts, in order, into a temp
 * file, syncs it and hands it to the backend to rename into place like any
 * put — the object is never held in memory. Uploads older than the
 * configured age are swept away (at start and, at most hourly, on create).
 */
import { createReadStream, type Stats } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { type ObjectChecksum, type ObjectMetadata, type PutOptions, type PutResult, settledChecksum } from '../../core/backend.ts';
import { fromBase64 } from '../../core/base64.ts';
import type {
  CompleteOptions, CompletedPart, WriteConditions, ListPartsParams, ListPartsResult, ListUploadsParams, ListUploadsResult, MultipartOperations, MultipartUploadSummary, UploadedPart,
} from '../../core/backend-capabilities.ts';
import { NoSuchUploadError, WriteNotAllowedError } from '../../core/backend-errors.ts';
import type { Body } from '../../core/body.ts';
import { completedChecksum } from '../../core/multipart/checksum.ts';
import { multipartEtag, selectParts } from '../../core/multipart/completion.ts';
import { pageParts, pageUploads } from '../../core/multipart/listing.ts';
import type { KeyedLock } from './concurrency.ts';
import { receiveToTemp } from './object-writer.ts';
import type { PrivateArea } from './private-area.ts';

/** Default age after which an upload nobody completed or aborted is removed. */
export const DEFAULT_MULTIPART_MAX_AGE_HOURS = 24;
const SWEEP_INTERVAL_MS = 3600 * 1000;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_FILE = /^part-(\d{5})\.([0-9a-f]{32})(?:\.([0-9a-f]{8,64}))?$/;

interface UploadRecord {
  v: 1;
  key: string;
  metadata: ObjectMetadata;
  initiated: string;
}

interface PartFile extends UploadedPart {
  file: string;
}

/** What the multipart operations need from the fs backend that owns them. */
export interface FsMultipartHost {
  readonly readOnly: boolean;
  readonly area: PrivateArea;
  /** Refuse early a key the backend could never store (path too long, outside the bucket's folder). */
  checkKey(key: string): Promise<void>;
  /** Turn a file-system failure into a typed backend error. */
  failure(error: unknown, key: string): Error;
  /** Move a finished temp file into place as `key`, with its metadata, as a put does, once `conditions` hold. */
  place(key: string, temp: string, stats: Stats, metadata: ObjectMetadata, etag: string, partSizes: readonly number[], conditions?: WriteConditions): Promise<void>;
}

export class FsMultipart implements MultipartOperations {
  private readonly uploadsDir: string;
  private lastSweep = 0;

  constructor(
    private readonly host: FsMultipartHost,
    private readonly maxAgeMs: number,
    /** The connection's lock table (shared by its bucket views); uploads lock under `upload:<id>`. */
    private readonly keyedLocks: KeyedLock,
  ) {
    this.uploadsDir = `${host.area.dir}/uploads`;
  }

  private get locks(): { run<T>(uploadId: string, task: () => Promise<T>): Promise<T> } {
    return { run: (uploadId, task) => this.keyedLocks.run(`upload:${uploadId}`, task) };
  }

  async create(key: string, metadata: ObjectMetadata): Promise<{ uploadId: string }> {
    this.checkWritable();
    await this.host.checkKey(key);
    this.sweepSometimes();
    const uploadId = crypto.randomUUID().replace(/-/g, '');
    const record: UploadRecord = { v: 1, key, metadata: structuredClone(metadata), initiated: new Date().toISOString() };
    await this.host.area.writeAtomic(`${this.dirOf(uploadId)}/upload.json`, JSON.stringify(record)).catch((error: unknown) => {
      throw this.host.failure(error, key);
    });
    return { uploadId };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    this.checkWritable();
    await this.record(key, uploadId);
    const fail = (error: unknown) => this.host.failure(error, key);
    await this.host.area.ensure().catch((error: unknown) => {
      throw fail(error);
    });
    const temp = this.host.area.tempPath();
    const { md5 } = await receiveToTemp(temp, body, options.signal, fail);
    const dir = this.dirOf(uploadId);
    const checksum = settledChecksum(options.checksum)?.value;
    const name = `part-${String(partNumber).padStart(5, '0')}.${md5}${checksum === undefined ? '' : `.${Buffer.from(fromBase64(checksum)).toString('hex')}`}`;
    try {
      await this.locks.run(uploadId, async () => {
        // Completed or aborted while the part streamed: the part has nowhere to go.
        await this.record(key, uploadId);
        await rename(temp, `${dir}/${name}`);
        for (const other of await readdir(dir)) {
          if (other !== name && PART_FILE.exec(other)?.[1] === name.slice(5, 10)) await unlink(`${dir}/${other}`).catch(() => {});
        }
      });
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error instanceof NoSuchUploadError ? error : fail(error);
    }
    return { etag: `"${md5}"` };
  }

  async complete(key: string, uploadId: string, requested: readonly CompletedPart[], options: CompleteOptions = {}): Promise<PutResult & { checksum?: ObjectChecksum }> {
    this.checkWritable();
    return this.locks.run(uploadId, async () => {
      const record = await this.record(key, uploadId);
      const stored = new Map((await this.parts(uploadId)).map((p) => [p.partNumber, p]));
      const chosen = selectParts(requested, stored);
      const checksum = options.checksum && completedChecksum(options.checksum, requested, chosen, options.checksum.expected);
      const metadata: ObjectMetadata = { ...record.metadata };
      delete metadata.checksum;
      if (checksum) metadata.checksum = checksum;
      const etag = multipartEtag(chosen.map((p) => p.etag));
      const temp = this.host.area.tempPath();
      let stats: Stats;
      try {
        stats = await this.assemble(temp, chosen.map((p) => `${this.dirOf(uploadId)}/${p.file}`), options.signal);
        await this.host.place(key, temp, stats, metadata, etag, chosen.map((p) => p.size), options.conditions);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw this.host.failure(error, key);
      }
      await rm(this.dirOf(uploadId), { recursive: true, force: true });
      return { etag, ...(checksum && { checksum }) };
    });
  }

  async abort(key: string, uploadId: string): Promise<void> {
    this.checkWritable();
    await this.locks.run(uploadId, async () => {
      await this.record(key, uploadId);
      await rm(this.dirOf(uploadId), { recursive: true, force: true }).catch((error: unknown) => {
        throw this.host.failure(error, key);
      });
    });
  }

  async listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult> {
    await this.record(key, uploadId);
    return pageParts(await this.parts(uploadId), params);
  }

  async listUploads(params: ListUploadsParams): Promise<ListUploadsResult> {
    const summaries: MultipartUploadSummary[] = [];
    for (const uploadId of await this.uploadIds()) {
      const record = await this.readRecord(uploadId);
      if (record && record.key.startsWith(params.prefix)) summaries.push({ key: record.key, uploadId, initiated: new Date(record.initiated) });
    }
    return pageUploads(summaries, params);
  }

  /** Remove uploads begun more than the configured age ago. */
  async sweep(now = Date.now()): Promise<void> {
    this.lastSweep = now;
    for (const uploadId of await this.uploadIds()) {
      const record = await this.readRecord(uploadId);
      const begun = record ? Date.parse(record.initiated) : (await stat(this.dirOf(uploadId)).catch(() => undefined))?.mtimeMs;
      if (begun === undefined || now - begun > this.maxAgeMs) {
        await this.locks.run(uploadId, () => rm(this.dirOf(uploadId), { recursive: true, force: true })).catch(() => {});
      }
    }
  }

  private sweepSometimes(): void {
    if (Date.now() - this.lastSweep < SWEEP_INTERVAL_MS) return;
    void this.sweep().catch(() => {});
  }

  private dirOf(uploadId: string): string {
    return `${this.uploadsDir}/${uploadId}`;
  }

  /** The upload's record, if `uploadId` names an upload of `key`; NoSuchUpload otherwise. */
  private async record(key: string, uploadId: string): Promise<UploadRecord> {
    const record = await this.readRecord(uploadId);
    if (!record || record.key !== key) throw new NoSuchUploadError(uploadId);
    return record;
  }

  private async readRecord(uploadId: string): Promise<UploadRecord | undefined> {
    // The id becomes a path: only the exact shape this backend issues is looked up.
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    try {
      const record = JSON.parse(await readFile(`${this.dirOf(uploadId)}/upload.json`, 'utf8')) as UploadRecord;
      return record.v === 1 && typeof record.key === 'string' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  private async uploadIds(): Promise<string[]> {
    try {
      return (await readdir(this.uploadsDir)).filter((name) => UPLOAD_ID.test(name));
    } catch {
      return [];
    }
  }

  /** The parts on disk; of two files for one number (a re-send in flight), the newer counts. */
  private async parts(uploadId: string): Promise<PartFile[]> {
    const dir = this.dirOf(uploadId);
    const byNumber = new Map<number, PartFile>();
    for (const file of await readdir(dir).catch(() => [] as string[])) {
      const match = PART_FILE.exec(file);
      if (!match) continue;
      const stats = await stat(`${dir}/${file}`).catch(() => undefined);
      if (!stats) continue;
      const part: PartFile = {
        partNumber: Number(match[1]), etag: `"${match[2]}"`, size: stats.size, lastModified: stats.mtime, file,
        ...(match[3] !== undefined && { checksum: Buffer.from(match[3], 'hex').toString('base64') }),
      };
      const seen = byNumber.get(part.partNumber);
      if (!seen || seen.lastModified < part.lastModified) byNumber.set(part.partNumber, part);
    }
    return [...byNumber.values()];
  }

  /** Stream the part files into a new temp file, in order, and sync it. */
  private async assemble(temp: string, files: string[], signal: AbortSignal | undefined): Promise<Stats> {
    const handle = await open(temp, 'wx');
    try {
      for (const file of files) {
        for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
          signal?.throwIfAborted();
          const bytes = chunk as Buffer;
          let offset = 0;
          while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
        }
      }
      await handle.datasync();
      return await handle.stat();
    } finally {
      await handle.close();
    }
  }

  private checkWritable(): void {
    if (this.host.readOnly) throw new WriteNotAllowedError('fs backend is read-only');
  }
}
