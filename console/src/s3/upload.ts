/**
 * Uploads from the browser with progress. Small files go in one PUT; larger
 * ones as a multipart upload (CreateMultipartUpload, UploadPart, Complete).
 * XMLHttpRequest, not fetch, because only it reports upload progress. A part
 * that fails is retried a few times; when the connection stays down the
 * upload pauses, keeping its upload id, and `resume()` asks the server which
 * parts it already has (ListParts) and sends only the rest.
 */
import type { PartInfo, S3Client } from './client.ts';
import { errorFromResponse, S3RequestError } from './errors.ts';

export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const MIN_PART_SIZE = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;
const RETRIES = 3;

export type UploadState = 'running' | 'paused' | 'done' | 'failed' | 'aborted';

export interface UploadProgress {
  name: string;
  key: string;
  loaded: number;
  total: number;
  state: UploadState;
  error?: S3RequestError;
  retrying?: number;
}

export function partSize(size: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
}

const cancelled = () => new S3RequestError(0, 'Aborted', 'the upload was cancelled');

/** One request with upload progress; resolves with the response's ETag. */
function xhrPut(url: string, headers: Record<string, string>, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    // Cancelled before this request began (while signing, or in a retry's pause): it is not sent.
    if (signal.aborted) return reject(cancelled());
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('etag') ?? '');
      else reject(errorFromResponse(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new S3RequestError(0, 'NetworkError', 'the connection was lost'));
    xhr.onabort = () => reject(cancelled());
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export class Upload {
  private uploadId: string | undefined;
  private readonly parts = new Map<number, PartInfo>();
  private controller = new AbortController();
  progress: UploadProgress;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    readonly key: string,
    readonly file: File,
    private readonly onChange: (progress: UploadProgress) => void,
  ) {
    this.progress = { name: file.name, key, loaded: 0, total: file.size, state: 'running' };
  }

  private update(change: Partial<UploadProgress>): void {
    this.progress = { ...this.progress, ...change };
    this.onChange(this.progress);
  }

  private async put(url: string, headers: Record<string, string>, body: Blob, before: () => number): Promise<string> {
    const signed = await this.client.headersFor('PUT', url, headers);
    return xhrPut(url, signed, body, (loaded) => this.update({ loaded: before() + loaded }), this.controller.signal);
  }

  private sentBytes(): number {
    let total = 0;
    for (const part of this.parts.values()) total += part.size;
    return total;
  }

  /** Start the upload; settles when it is done, paused, failed or aborted. */
  start(): Promise<void> {
    return this.run(() => this.send());
  }

  /**
   * Continue a paused upload: ask the server which parts it has, send the
   * rest. A press while the upload runs does nothing (no second sender); if
   * the server cannot be reached yet, the upload pauses again.
   */
  resume(): Promise<void> {
    if (this.progress.state !== 'paused') return Promise.resolve();
    return this.run(async () => {
      if (this.uploadId) await this.loadServerParts(this.uploadId);
      await this.send();
    });
  }

  /** One attempt of the whole upload, its outcome shown as the upload's state. */
  private async run(work: () => Promise<void>): Promise<void> {
    this.controller = new AbortController();
    this.update({ state: 'running', error: undefined, retrying: undefined });
    try {
      await work();
      this.update({ state: 'done', loaded: this.file.size });
    } catch (error) {
      const failure = error instanceof S3RequestError ? error : new S3RequestError(0, 'Error', String(error));
      if (failure.code === 'Aborted') {
        // The upload may have been created on the server after Cancel was pressed: remove its parts.
        await this.discardServerParts();
        return this.update({ state: 'aborted', retrying: undefined });
      }
      // A dropped connection with parts on the server can be resumed; a refusal cannot. Either way the retries are over.
      this.update({ state: failure.status === 0 && this.uploadId ? 'paused' : 'failed', error: failure, retrying: undefined });
    }
  }

  private send(): Promise<void> {
    return this.file.size < MULTIPART_THRESHOLD ? this.single() : this.multipart();
  }

  private async single(): Promise<void> {
    const url = this.client.url({ bucket: this.bucket, key: this.key });
    await this.withRetries(() => this.put(url, { 'content-type': this.file.type || 'application/octet-stream' }, this.file, () => 0));
  }

  /** The parts the server holds replace what this page believed it sent. */
  private async loadServerParts(uploadId: string): Promise<void> {
    const held = await this.withRetries(() => this.client.listParts(this.bucket, this.key, uploadId));
    this.parts.clear();
    for (const part of held) this.parts.set(part.partNumber, part);
    this.update({ loaded: this.sentBytes() });
  }

  /** Cancel: a running upload stops at its next step and cleans up there; a paused or failed one is removed from the server now. */
  async abort(): Promise<void> {
    const running = this.progress.state === 'running';
    this.controller.abort();
    this.update({ state: 'aborted', retrying: undefined });
    if (!running) await this.discardServerParts();
  }

  private async discardServerParts(): Promise<void> {
    if (this.uploadId) await this.client.abortMultipartUpload(this.bucket, this.key, this.uploadId).catch(() => {});
  }

  private async multipart(): Promise<void> {
    const size = partSize(this.file.size);
    const count = Math.ceil(this.file.size / size);
    this.uploadId ??= await this.client.createMultipartUpload(this.bucket, this.key, this.file.type || 'application/octet-stream');
    const uploadId = this.uploadId;
    if (this.controller.signal.aborted) throw cancelled();
    for (let number = 1; number <= count; number++) {
      const start = (number - 1) * size;
      const blob = this.file.slice(start, Math.min(start + size, this.file.size));
      // A part the server already holds at the right size is not sent again.
      if (this.parts.get(number)?.size === blob.size) continue;
      const url = this.client.url({ bucket: this.bucket, key: this.key, query: { partNumber: String(number), uploadId } });
      const before = this.sentBytes();
      const etag = await this.withRetries(() => this.put(url, {}, blob, () => before));
      this.parts.set(number, { partNumber: number, etag, size: blob.size });
      this.update({ loaded: this.sentBytes() });
    }
    await this.client.completeMultipartUpload(this.bucket, this.key, uploadId, [...this.parts.values()]);
  }

  /** Network failures are retried with a growing pause; refusals are not. */
  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof S3RequestError) || error.status !== 0 || error.code === 'Aborted' || tries > RETRIES) throw error;
        this.update({ retrying: tries });
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (tries - 1)));
        if (this.controller.signal.aborted) throw cancelled();
      }
    }
  }
}
