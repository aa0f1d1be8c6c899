/**
 * The JSON API calls the backend makes on one bucket, by full object name
 * (base prefix included): object metadata, media downloads, uploads,
 * compose, rewrite, patch, delete and one listing page. Semantics (S3
 * ETags, conditions, key mapping) live in the backend; this is the wire.
 */
import { BackendError, BackendUnavailableError } from '../../core/backend-errors.ts';
import { readAll } from '../../core/body.ts';
import type { HeaderMap, OutboundResponse } from '../../core/http.ts';
import type { GcsObject, GcsObjectWrite } from './object-resource.ts';
import { encodeObjectName, type ResolvedGcsOptions } from './options.ts';
import { consumeBody, GcsTransport } from './transport.ts';

/** Generation preconditions GCS checks at its commit point. */
export interface GenerationConditions {
  /** `0`: only if no live object exists. */
  ifGenerationMatch?: string;
  ifMetagenerationMatch?: string;
}

export interface ListPage {
  items: GcsObject[];
  prefixes: string[];
  nextPageToken?: string;
}

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  startOffset?: string;
  pageToken?: string;
  maxResults: number;
}

/** Bound on rewrite calls for one copy (each moves at least some of the object). */
const MAX_REWRITE_CALLS = 10_000;

function conditionQuery(query: URLSearchParams, conditions: GenerationConditions | undefined): URLSearchParams {
  if (conditions?.ifGenerationMatch !== undefined) query.set('ifGenerationMatch', conditions.ifGenerationMatch);
  if (conditions?.ifMetagenerationMatch !== undefined) query.set('ifMetagenerationMatch', conditions.ifMetagenerationMatch);
  return query;
}

function withQuery(url: string, query: URLSearchParams): string {
  const text = query.toString().replace(/\+/g, '%20');
  return text ? `${url}?${text}` : url;
}

export class GcsBucketClient {
  readonly transport: GcsTransport;

  constructor(readonly opts: ResolvedGcsOptions) {
    this.transport = new GcsTransport(opts);
  }

  private bucketPath(): string {
    return `${this.opts.endpoint}/storage/v1/b/${encodeURIComponent(this.opts.bucket)}/o`;
  }

  objectUrl(name: string, suffix = ''): string {
    return `${this.bucketPath()}/${encodeObjectName(name)}${suffix}`;
  }

  uploadUrl(query: URLSearchParams): string {
    return withQuery(`${this.opts.endpoint}/upload/storage/v1/b/${encodeURIComponent(this.opts.bucket)}/o`, query);
  }

  /** objects.get (metadata). */
  async metadata(name: string, signal?: AbortSignal): Promise<GcsObject> {
    return this.transport.json<GcsObject>({ operation: 'objects.get', method: 'GET', url: this.objectUrl(name), idempotent: true, signal });
  }

  /** objects.get with `alt=media`: the content (or a range of it) of exactly `generation`. */
  async download(name: string, generation: string, range: string | undefined, signal?: AbortSignal): Promise<OutboundResponse> {
    const headers: HeaderMap = {};
    if (range) headers.range = range;
    const query = new URLSearchParams({ alt: 'media', ifGenerationMatch: generation });
    return this.transport.send({ operation: 'objects.get', method: 'GET', url: withQuery(this.objectUrl(name), query), headers, idempotent: true, signal });
  }

  /** objects.insert with `uploadType=multipart`: resource and content in one request (bytes in memory, so retriable). */
  async insertWhole(resource: GcsObjectWrite & { name: string }, bytes: Uint8Array, conditions: GenerationConditions | undefined, signal?: AbortSignal): Promise<GcsObject> {
    const json = new TextEncoder().encode(JSON.stringify(resource));
    let boundary = randomHex(16);
    while (containsAscii(bytes, boundary)) boundary = randomHex(16);
    const head = new TextEncoder().encode(
      `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n`,
    );
    const mid = new TextEncoder().encode(`\r\n--${boundary}\r\ncontent-type: ${resource.contentType ?? 'application/octet-stream'}\r\n\r\n`);
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const body = concat([head, json, mid, bytes, tail]);
    const query = conditionQuery(new URLSearchParams({ uploadType: 'multipart' }), conditions);
    return this.transport.json<GcsObject>({
      operation: 'objects.insert',
      method: 'POST',
      url: this.uploadUrl(query),
      headers: { 'content-type': `multipart/related; boundary=${boundary}` },
      body,
      // A generation precondition makes a repeat harmless; without one the repeat writes the same bytes again.
      idempotent: true,
      signal,
    });
  }

  /** Open a resumable upload session; its URI. */
  async openSession(resource: GcsObjectWrite & { name: string }, conditions: GenerationConditions | undefined, signal?: AbortSignal): Promise<string> {
    const query = conditionQuery(new URLSearchParams({ uploadType: 'resumable' }), conditions);
    const res = await this.transport.send({
      operation: 'objects.insert',
      method: 'POST',
      url: this.uploadUrl(query),
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-type': resource.contentType ?? 'application/octet-stream' },
      body: new TextEncoder().encode(JSON.stringify(resource)),
      idempotent: true,
      signal,
    });
    await consumeBody(res.body);
    const location = res.headers.location;
    if (!location) throw new BackendError('storage backend opened an upload session without a location');
    return new URL(location, this.opts.endpoint).toString();
  }

  /**
   * Send one chunk of a resumable upload at `offset`; `total` on the last
   * chunk. Returns the finished object, or undefined while more is expected.
   */
  async sendChunk(session: string, bytes: Uint8Array, offset: number, total: number | undefined, signal?: AbortSignal): Promise<GcsObject | undefined> {
    const range = bytes.byteLength === 0 ? `bytes */${total}` : `bytes ${offset}-${offset + bytes.byteLength - 1}/${total ?? '*'}`;
    const res = await this.transport.send({
      operation: 'objects.insert',
      method: 'PUT',
      url: session,
      headers: { 'content-range': range },
      body: bytes,
      idempotent: true,
      accept: [308],
      signal,
    });
    if (res.status === 308) {
      await consumeBody(res.body);
      const persisted = /^bytes=0-(\d+)$/.exec(res.headers.range ?? '');
      const expected = offset + bytes.byteLength;
      if (total !== undefined || !persisted || Number(persisted[1]) + 1 !== expected) {
        throw new BackendUnavailableError('storage backend did not persist an upload chunk', { operation: 'objects.insert', range, persisted: res.headers.range });
      }
      return undefined;
    }
    return JSON.parse(new TextDecoder().decode(await readAll(res.body, 1024 * 1024))) as GcsObject;
  }

  /** Cancel a resumable session (best effort: an abandoned session expires on its own). */
  async cancelSession(session: string): Promise<void> {
    try {
      const res = await this.transport.send({ operation: 'objects.insert', method: 'DELETE', url: session, idempotent: false, accept: [499] });
      await consumeBody(res.body);
    } catch {
      // Nothing was committed; the service drops the session after a week.
    }
  }

  /** objects.compose into `destination` from `sources` (at most 32), each pinned to its generation. */
  async compose(
    destination: GcsObjectWrite & { name: string },
    sources: readonly { name: string; generation?: string }[],
    conditions: GenerationConditions | undefined,
    signal?: AbortSignal,
  ): Promise<GcsObject> {
    const { name, ...resource } = destination;
    const query = conditionQuery(new URLSearchParams(), conditions);
    return this.transport.json<GcsObject>({
      operation: 'objects.compose',
      method: 'POST',
      url: withQuery(this.objectUrl(name, '/compose'), query),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: new TextEncoder().encode(JSON.stringify({ destination: resource, sourceObjects: sources.map((s) => ({ name: s.name, ...(s.generation && { generation: s.generation }) })) })),
      idempotent: conditions?.ifGenerationMatch !== undefined,
      signal,
    });
  }

  /**
   * objects.rewrite from `source` (pinned to `generation`) to `destination`,
   * repeated with the rewrite token until done. `resource` replaces the
   * metadata; absent keeps the source's.
   */
  async rewrite(source: string, generation: string, destination: string, resource: GcsObjectWrite | undefined, signal?: AbortSignal): Promise<GcsObject> {
    let token: string | undefined;
    for (let call = 0; call < MAX_REWRITE_CALLS; call++) {
      const query = new URLSearchParams({ ifSourceGenerationMatch: generation });
      if (token) query.set('rewriteToken', token);
      const answer = await this.transport.json<{ done?: boolean; rewriteToken?: string; resource?: GcsObject }>({
        operation: 'objects.rewrite',
        method: 'POST',
        url: withQuery(this.objectUrl(source, `/rewriteTo/b/${encodeURIComponent(this.opts.bucket)}/o/${encodeObjectName(destination)}`), query),
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: new TextEncoder().encode(resource ? JSON.stringify(resource) : '{}'),
        idempotent: true,
        signal,
      });
      if (answer.done && answer.resource) return answer.resource;
      if (!answer.rewriteToken) throw new BackendError('storage backend answered a rewrite without finishing or a token');
      token = answer.rewriteToken;
    }
    throw new BackendUnavailableError('storage backend copy did not finish', { operation: 'objects.rewrite' });
  }

  /** objects.patch of metadata entries, on exactly `generation`. */
  async patchMetadata(name: string, generation: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<GcsObject> {
    return this.transport.json<GcsObject>({
      operation: 'objects.patch',
      method: 'PATCH',
      url: withQuery(this.objectUrl(name), new URLSearchParams({ ifGenerationMatch: generation })),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: new TextEncoder().encode(JSON.stringify({ metadata })),
      idempotent: true,
      signal,
    });
  }

  /** objects.delete; GCS answers 404 for a missing object (left to the caller). */
  async delete(name: string, conditions?: GenerationConditions, signal?: AbortSignal): Promise<void> {
    const res = await this.transport.send({
      operation: 'objects.delete',
      method: 'DELETE',
      url: withQuery(this.objectUrl(name), conditionQuery(new URLSearchParams(), conditions)),
      idempotent: true,
      signal,
    });
    await consumeBody(res.body);
  }

  /** objects.list: one page. */
  async listPage(query: ListQuery, signal?: AbortSignal): Promise<ListPage> {
    const params = new URLSearchParams({ maxResults: String(query.maxResults) });
    if (query.prefix) params.set('prefix', query.prefix);
    if (query.delimiter) params.set('delimiter', query.delimiter);
    if (query.startOffset) params.set('startOffset', query.startOffset);
    if (query.pageToken) params.set('pageToken', query.pageToken);
    const page = await this.transport.json<{ items?: GcsObject[]; prefixes?: string[]; nextPageToken?: string }>({
      operation: 'objects.list',
      method: 'GET',
      url: withQuery(this.bucketPath(), params),
      idempotent: true,
      signal,
    });
    return { items: page.items ?? [], prefixes: page.prefixes ?? [], ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) };
  }
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Whether `text` (ASCII) occurs in `bytes`. */
function containsAscii(bytes: Uint8Array, text: string): boolean {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
