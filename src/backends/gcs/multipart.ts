/**
 * S3 multipart uploads on GCS: each upload is a folder of temporary objects
 * in the connection's multipart area (`{multipartPrefix}{uploadId}/`,
 * outside every listing): `upload`, the manifest (the target object name
 * and initiation time in its metadata, the object's metadata as its
 * content), and one object per part (`part-00001`, …), each uploaded like
 * any object so its MD5 is the part's ETag.
 *
 * Completion checks the named parts (`selectParts`: InvalidPart,
 * EntityTooSmall), then composes them into the target, each source pinned
 * to its generation. Compose takes at most 32 sources per call, so larger
 * uploads are composed in levels through intermediate objects in the
 * upload's folder. The target carries S3's multipart ETag and the part sizes
 * in reserved metadata (a composite object has no MD5). The folder is
 * deleted afterwards, as on abort.
 */
import { BackendError, NoSuchUploadError } from '../../core/backend-errors.ts';
import type {
  CompletedPart,
  CompleteOptions,
  ListPartsParams,
  ListPartsResult,
  ListUploadsParams,
  ListUploadsResult,
  MultipartOperations,
  MultipartUploadSummary,
  UploadedPart,
} from '../../core/backend-capabilities.ts';
import type { ObjectMetadata, PutOptions, PutResult } from '../../core/backend.ts';
import { discardBody, readAll, type Body } from '../../core/body.ts';
import { multipartEtag, selectParts } from '../../core/multipart/completion.ts';
import { pageParts, pageUploads } from '../../core/multipart/listing.ts';
import { conditionName, type GcsBackend } from './gcs-backend.ts';
import { mapObjectError } from './errors.ts';
import { md5Base64ToHex, objectWrite, RESERVED, type GcsObject } from './object-resource.ts';
import { GcsResponseError } from './transport.ts';
import { uploadObject } from './upload.ts';

/** GCS composes at most 32 sources per request. */
export const MAX_COMPOSE_SOURCES = 32;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const UPLOAD_KEY = 'sluice:upload-key';
const UPLOAD_INITIATED = 'sluice:upload-initiated';
/** Bound on objects read from the multipart area for one listing. */
const MAX_AREA_ENTRIES = 100_000;
const MANIFEST_LIMIT = 1024 * 1024;

function randomId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class GcsMultipart implements MultipartOperations {
  constructor(private readonly backend: GcsBackend) {}

  private folder(uploadId: string): string {
    return `${this.backend.opts.multipartPrefix}${uploadId}/`;
  }

  private partName(uploadId: string, partNumber: number): string {
    return `${this.folder(uploadId)}part-${String(partNumber).padStart(5, '0')}`;
  }

  async create(key: string, metadata: ObjectMetadata, options: { signal?: AbortSignal } = {}): Promise<{ uploadId: string }> {
    this.backend.assertWritable();
    const name = this.backend.objectName(key);
    objectWrite(metadata); // refuse what the object could not carry before anything is stored
    const uploadId = randomId();
    const { checksum: _checksum, ...kept } = metadata;
    await this.backend.client.insertWhole(
      {
        name: `${this.folder(uploadId)}upload`,
        contentType: 'application/json',
        metadata: { [UPLOAD_KEY]: name, [UPLOAD_INITIATED]: this.backend.opts.now().toISOString() },
      },
      new TextEncoder().encode(JSON.stringify(kept)),
      { ifGenerationMatch: '0' },
      options.signal,
    );
    return { uploadId };
  }

  /** The upload's manifest, checked to belong to `key`; NoSuchUpload otherwise. */
  private async open(key: string, uploadId: string, signal?: AbortSignal): Promise<GcsObject> {
    if (!UPLOAD_ID.test(uploadId)) throw new NoSuchUploadError(uploadId);
    let manifest: GcsObject;
    try {
      manifest = await this.backend.client.metadata(`${this.folder(uploadId)}upload`, signal);
    } catch (err) {
      if (err instanceof GcsResponseError && err.status === 404) throw new NoSuchUploadError(uploadId);
      throw err;
    }
    if (manifest.metadata?.[UPLOAD_KEY] !== this.backend.opts.prefix + key) throw new NoSuchUploadError(uploadId);
    return manifest;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    try {
      this.backend.assertWritable();
      await this.open(key, uploadId, options.signal);
    } catch (err) {
      discardBody(body);
      throw err;
    }
    const { md5Hex } = await uploadObject(this.backend.client, body, {
      resource: { name: this.partName(uploadId, partNumber), contentType: 'application/octet-stream', metadata: {} },
      ...(options.signal && { signal: options.signal }),
    });
    return { etag: `"${md5Hex}"` };
  }

  /** Every stored part of an upload, by number. */
  private async storedParts(uploadId: string, signal?: AbortSignal): Promise<Map<number, UploadedPart & { name: string; generation: string }>> {
    const parts = new Map<number, UploadedPart & { name: string; generation: string }>();
    for (const object of await this.listArea(`${this.folder(uploadId)}part-`, signal)) {
      const match = /part-(\d{5})$/.exec(object.name);
      const hex = md5Base64ToHex(object.md5Hash);
      if (!match || !hex) continue;
      const partNumber = Number(match[1]);
      parts.set(partNumber, {
        partNumber,
        etag: `"${hex}"`,
        size: Number(object.size),
        lastModified: new Date(object.updated ?? 0),
        name: object.name,
        generation: object.generation,
      });
    }
    return parts;
  }

  async complete(key: string, uploadId: string, requested: readonly CompletedPart[], options: CompleteOptions = {}): Promise<PutResult> {
    this.backend.assertWritable();
    const { signal, conditions } = options;
    const manifest = await this.open(key, uploadId, signal);
    const metadata = await this.readManifest(manifest, signal);
    const chosen = selectParts(requested, await this.storedParts(uploadId, signal));
    // Checked before composing, and again by GCS at the final compose: a write in between fails it.
    const generation = conditions && await this.backend.generationConditions(key, conditions, signal);
    const etag = multipartEtag(chosen.map((p) => p.etag));
    const resource = objectWrite(metadata, { [RESERVED.etag]: etag.slice(1, -1), [RESERVED.partSizes]: chosen.map((p) => p.size).join(',') });
    let sources: { name: string; generation: string }[] = chosen.map(({ name, generation }) => ({ name, generation }));
    try {
      // Compose in levels until one call can take every source.
      for (let level = 0; sources.length > MAX_COMPOSE_SOURCES; level++) {
        const next: { name: string; generation: string }[] = [];
        for (let i = 0; i < sources.length; i += MAX_COMPOSE_SOURCES) {
          const composed = await this.backend.client.compose(
            { name: `${this.folder(uploadId)}compose-${level}-${String(next.length).padStart(5, '0')}`, contentType: 'application/octet-stream', metadata: {} },
            sources.slice(i, i + MAX_COMPOSE_SOURCES),
            undefined,
            signal,
          );
          next.push({ name: composed.name, generation: composed.generation });
        }
        sources = next;
      }
      await this.backend.client.compose({ ...resource, name: manifest.metadata![UPLOAD_KEY]! }, sources, generation, signal);
    } catch (err) {
      throw mapObjectError(err, key, conditions && conditionName(conditions));
    }
    await this.removeFolder(uploadId, signal);
    return { etag };
  }

  async abort(key: string, uploadId: string): Promise<void> {
    this.backend.assertWritable();
    await this.open(key, uploadId);
    await this.removeFolder(uploadId);
  }

  async listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult> {
    await this.open(key, uploadId, params.signal);
    const parts = [...(await this.storedParts(uploadId, params.signal)).values()].map(({ partNumber, etag, size, lastModified }) => ({ partNumber, etag, size, lastModified }));
    return pageParts(parts, params);
  }

  async listUploads(params: ListUploadsParams): Promise<ListUploadsResult> {
    const base = this.backend.opts.prefix;
    const uploads: MultipartUploadSummary[] = [];
    for (const object of await this.listArea(this.backend.opts.multipartPrefix, params.signal)) {
      const match = /([0-9a-f]{32})\/upload$/.exec(object.name);
      const name = object.metadata?.[UPLOAD_KEY];
      if (!match || !name || !name.startsWith(base)) continue;
      uploads.push({ key: name.slice(base.length), uploadId: match[1]!, initiated: new Date(object.metadata?.[UPLOAD_INITIATED] ?? object.updated ?? 0) });
    }
    return pageUploads(uploads, params);
  }

  /** The object metadata recorded at creation. */
  private async readManifest(manifest: GcsObject, signal?: AbortSignal): Promise<ObjectMetadata> {
    const res = await this.backend.client.download(manifest.name, manifest.generation, undefined, signal);
    try {
      const parsed = JSON.parse(new TextDecoder().decode(await readAll(res.body, MANIFEST_LIMIT))) as ObjectMetadata;
      return { ...parsed, metadata: parsed.metadata ?? {} };
    } catch {
      throw new BackendError('multipart upload manifest is unreadable');
    }
  }

  /** Every object under `prefix` in the multipart area (bounded). */
  private async listArea(prefix: string, signal?: AbortSignal): Promise<GcsObject[]> {
    const objects: GcsObject[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.backend.client.listPage({ prefix, maxResults: 1000, ...(pageToken && { pageToken }) }, signal);
      objects.push(...page.items);
      if (objects.length > MAX_AREA_ENTRIES) throw new BackendError(`multipart area holds more than ${MAX_AREA_ENTRIES} objects under ${prefix}`);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return objects;
  }

  /** Delete an upload's parts, intermediates and (last) its manifest. */
  private async removeFolder(uploadId: string, signal?: AbortSignal): Promise<void> {
    const objects = await this.listArea(this.folder(uploadId), signal);
    const manifest = `${this.folder(uploadId)}upload`;
    for (const object of objects) if (object.name !== manifest) await this.backend.deleteName(object.name, signal);
    await this.backend.deleteName(manifest, signal);
  }
}

