/**
 * A protocol-level fixture of the Google Cloud Storage JSON API: a local
 * Node HTTP server holding objects in memory, written from Google's API
 * reference for the subset the gcs backend speaks. No local GCS
 * implementation runs here (the Firebase Storage emulator needs Java 21
 * and downloads its rules runtime at start), so this fixture stands in;
 * it is a test double of the wire protocol, not a second implementation to
 * trust, and it enforces the service's rules the backend depends on:
 *
 * - objects.get (metadata; `alt=media` with `Range` → 206/416 and
 *   `ifGenerationMatch` → 412), objects.list (`prefix`, `delimiter`,
 *   `startOffset`, `pageToken`, `maxResults`, names in UTF-8 byte order),
 *   objects.insert (`uploadType=multipart` with `md5Hash` verified, and
 *   `uploadType=resumable` sessions with `Content-Range` chunks, 308
 *   answers and cancellation by DELETE), objects.compose (at most 32
 *   sources, each pinned by generation; no MD5 on the result),
 *   objects.rewrite (a `rewriteToken` loop over `rewriteBytesPerCall`),
 *   objects.patch and objects.delete, with `ifGenerationMatch` (0: absent)
 *   checked at every commit;
 * - object names: not `.` or `..`, no CR/LF, at most 1024 UTF-8 bytes;
 * - bearer tokens: when `tokens` is given, every request must carry one of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  bytes: Buffer;
  resource: Record<string, unknown> & { name: string; generation: string; metadata?: Record<string, string> };
}

export interface GcsFixtureOptions {
  /** Accepted bearer tokens (a live set: tests add tokens as token endpoints issue them). Absent: no authorization checked. */
  tokens?: Set<string>;
  /** Bytes one rewrite call moves before answering with a token. Default: everything at once. */
  rewriteBytesPerCall?: number;
}

export interface GcsFixture {
  endpoint: string;
  buckets: Map<string, Map<string, StoredObject>>;
  createBucket(name: string): void;
  /** Requests seen, as `METHOD path` (query left out), for tests that check what was sent. */
  requests: string[];
  stop(): Promise<void>;
}

interface Session {
  bucket: string;
  resource: Record<string, unknown> & { name: string };
  conditions: URLSearchParams;
  received: Buffer[];
  length: number;
}

class HttpFailure extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function nameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'Invalid object name';
  if (/[\r\n]/.test(name)) return 'Invalid object name: line breaks';
  if (Buffer.byteLength(name) > 1024) return 'Invalid object name: longer than 1024 bytes';
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startGcsFixture(options: GcsFixtureOptions = {}): Promise<GcsFixture> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const sessions = new Map<string, Session>();
  const rewrites = new Map<string, number>();
  const requests: string[] = [];
  let generations = 1_700_000_000_000_000;
  let endpoint = '';

  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw new HttpFailure(404, 'notFound', 'The specified bucket does not exist.');
    return bucket;
  };

  const checkConditions = (bucket: Map<string, StoredObject>, name: string, query: URLSearchParams, prefix = '') => {
    const current = bucket.get(name);
    const generation = query.get(`${prefix}ifGenerationMatch`) ?? query.get(`${prefix}IfGenerationMatch`);
    if (generation !== null) {
      if (generation === '0' ? current !== undefined : current?.resource.generation !== generation) {
        throw new HttpFailure(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
      }
    }
    const meta = query.get(`${prefix}ifMetagenerationMatch`);
    if (meta !== null && current?.resource.metageneration !== meta) throw new HttpFailure(412, 'conditionNotMet', 'Precondition failed');
  };

  const commit = (bucketName: string, resource: Record<string, unknown> & { name: string }, bytes: Buffer, extra: Record<string, unknown> = {}): StoredObject => {
    const problem = nameProblem(resource.name);
    if (problem) throw new HttpFailure(400, 'invalid', problem);
    const bucket = bucketOf(bucketName);
    const generation = String(++generations);
    const now = new Date().toISOString();
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries((resource.metadata as Record<string, unknown> | undefined) ?? {})) if (typeof v === 'string') metadata[k] = v;
    const stored: StoredObject = {
      bytes,
      resource: {
        kind: 'storage#object',
        bucket: bucketName,
        name: resource.name,
        generation,
        metageneration: '1',
        size: String(bytes.byteLength),
        md5Hash: createHash('md5').update(bytes).digest('base64'),
        etag: Buffer.from(`${generation}/1`).toString('base64'),
        timeCreated: now,
        updated: now,
        storageClass: 'STANDARD',
        ...Object.fromEntries(['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl'].filter((f) => typeof resource[f] === 'string').map((f) => [f, resource[f]])),
        ...(Object.keys(metadata).length > 0 && { metadata }),
        ...extra,
      },
    };
    if (extra.md5Hash === undefined && 'md5Hash' in extra) delete stored.resource.md5Hash;
    bucket.set(resource.name, stored);
    return stored;
  };

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(body !== undefined && { 'content-type': 'application/json; charset=UTF-8' }), 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://fixture');
    const rawPath = req.url!.split('?')[0]!;
    const method = req.method!;
    requests.push(`${method} ${url.pathname}`);
    if (options.tokens) {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !options.tokens.has(auth.slice(7))) throw new HttpFailure(401, 'required', 'Anonymous caller does not have storage.objects access.');
    }
    const q = url.searchParams;
    const segments = rawPath.split('/').map((s) => decodeURIComponent(s));
    // /upload/storage/v1/b/{bucket}/o
    if (segments[1] === 'upload' && segments[6] === 'o' && segments.length === 7) {
      const bucketName = segments[5]!;
      const uploadId = q.get('upload_id');
      if (uploadId !== null) return handleSession(req, res, uploadId, method);
      const body = await readBody(req);
      if (method === 'POST' && q.get('uploadType') === 'multipart') {
        const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
        if (!boundary) throw new HttpFailure(400, 'invalid', 'missing boundary');
        const parts = splitMultipart(body, boundary);
        if (parts.length !== 2) throw new HttpFailure(400, 'invalid', 'a multipart upload has two parts');
        const resource = JSON.parse(parts[0]!.body.toString('utf8')) as Record<string, unknown> & { name: string };
        const media = parts[1]!;
        if (typeof resource.md5Hash === 'string' && resource.md5Hash !== createHash('md5').update(media.body).digest('base64')) {
          throw new HttpFailure(400, 'invalid', 'Provided MD5 hash does not match the calculated MD5 hash.');
        }
        checkConditions(bucketOf(bucketName), resource.name, q);
        const stored = commit(bucketName, { contentType: media.contentType, ...resource }, media.body);
        return send(res, 200, stored.resource);
      }
      if (method === 'POST' && q.get('uploadType') === 'resumable') {
        const resource = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> & { name: string };
        if (!resource.name) resource.name = q.get('name') ?? '';
        const problem = nameProblem(resource.name);
        if (problem) throw new HttpFailure(400, 'invalid', problem);
        bucketOf(bucketName);
        const id = randomBytes(12).toString('hex');
        sessions.set(id, { bucket: bucketName, resource: { contentType: req.headers['x-upload-content-type'], ...resource }, conditions: q, received: [], length: 0 });
        return send(res, 200, undefined, { location: `${endpoint}/upload/storage/v1/b/${encodeURIComponent(bucketName)}/o?uploadType=resumable&upload_id=${id}` });
      }
      throw new HttpFailure(400, 'invalid', 'unsupported upload');
    }
    if (segments[1] !== 'storage' || segments[2] !== 'v1' || segments[3] !== 'b' || segments[5] !== 'o') throw new HttpFailure(404, 'notFound', 'Not Found');
    const bucketName = segments[4]!;
    const bucket = bucketOf(bucketName);
    if (segments.length === 6) {
      if (method !== 'GET') throw new HttpFailure(405, 'invalid', 'method');
      return send(res, 200, list(bucket, q));
    }
    const name = segments[6]!;
    if (segments.length === 8 && segments[7] === 'compose' && method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { destination?: Record<string, unknown>; sourceObjects?: { name: string; generation?: string }[] };
      const sources = body.sourceObjects ?? [];
      if (sources.length < 1 || sources.length > 32) throw new HttpFailure(400, 'invalid', 'The number of source components provided (N) exceeds the maximum (32)');
      const pieces: Buffer[] = [];
      let components = 0;
      for (const source of sources) {
        const found = bucket.get(source.name);
        if (!found) throw new HttpFailure(404, 'notFound', `Object ${source.name} not found`);
        if (source.generation !== undefined && found.resource.generation !== source.generation) throw new HttpFailure(412, 'conditionNotMet', 'source generation');
        pieces.push(found.bytes);
        components += Number(found.resource.componentCount ?? 1);
      }
      checkConditions(bucket, name, q);
      const stored = commit(bucketName, { ...body.destination, name }, Buffer.concat(pieces), { md5Hash: undefined, componentCount: components });
      return send(res, 200, stored.resource);
    }
    if (segments.length === 12 && segments[7] === 'rewriteTo' && method === 'POST') {
      const destination = segments[11]!;
      const body = (await readBody(req)).toString('utf8');
      const source = bucket.get(name);
      if (!source) throw new HttpFailure(404, 'notFound', `No such object: ${bucketName}/${name}`);
      checkConditions(bucket, name, q, 'Source');
      const sourceGeneration = q.get('ifSourceGenerationMatch');
      if (sourceGeneration !== null && source.resource.generation !== sourceGeneration) throw new HttpFailure(412, 'conditionNotMet', 'source generation');
      const size = source.bytes.byteLength;
      const token = q.get('rewriteToken');
      const done = token ? rewrites.get(token) ?? -1 : 0;
      if (done < 0) throw new HttpFailure(400, 'invalid', 'Invalid rewrite token');
      const step = options.rewriteBytesPerCall ?? Number.POSITIVE_INFINITY;
      const moved = Math.min(size, done + step);
      if (token) rewrites.delete(token);
      if (moved < size) {
        const next = randomBytes(8).toString('hex');
        rewrites.set(next, moved);
        return send(res, 200, { kind: 'storage#rewriteResponse', totalBytesRewritten: String(moved), objectSize: String(size), done: false, rewriteToken: next });
      }
      const replacement = JSON.parse(body || '{}') as Record<string, unknown>;
      const kept = Object.keys(replacement).length === 0 ? source.resource : replacement;
      checkConditions(bucket, destination, q);
      const extra: Record<string, unknown> = source.resource.md5Hash === undefined ? { md5Hash: undefined, componentCount: source.resource.componentCount } : {};
      const stored = commit(bucketName, { ...kept, name: destination }, source.bytes, extra);
      return send(res, 200, { kind: 'storage#rewriteResponse', totalBytesRewritten: String(size), objectSize: String(size), done: true, resource: stored.resource });
    }
    if (segments.length !== 7) throw new HttpFailure(404, 'notFound', 'Not Found');
    const found = bucket.get(name);
    if (method === 'DELETE') {
      if (!found) throw new HttpFailure(404, 'notFound', `No such object: ${bucketName}/${name}`);
      checkConditions(bucket, name, q);
      bucket.delete(name);
      return send(res, 204);
    }
    if (method === 'PATCH') {
      if (!found) throw new HttpFailure(404, 'notFound', `No such object: ${bucketName}/${name}`);
      checkConditions(bucket, name, q);
      const patch = JSON.parse((await readBody(req)).toString('utf8')) as { metadata?: Record<string, string | null> };
      const metadata = { ...found.resource.metadata };
      for (const [k, v] of Object.entries(patch.metadata ?? {})) {
        if (v === null) delete metadata[k];
        else metadata[k] = v;
      }
      const metageneration = String(Number(found.resource.metageneration) + 1);
      found.resource = { ...found.resource, metadata, metageneration, updated: new Date().toISOString(), etag: Buffer.from(`${found.resource.generation}/${metageneration}`).toString('base64') };
      return send(res, 200, found.resource);
    }
    if (method !== 'GET') throw new HttpFailure(405, 'invalid', 'method');
    if (!found) throw new HttpFailure(404, 'notFound', `No such object: ${bucketName}/${name}`);
    checkConditions(bucket, name, q);
    if (q.get('alt') !== 'media') return send(res, 200, found.resource);
    const size = found.bytes.byteLength;
    const headers = {
      'content-type': String(found.resource.contentType ?? 'application/octet-stream'),
      'x-goog-generation': found.resource.generation,
      etag: String(found.resource.etag),
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { ...headers, 'content-length': String(size) });
      return res.end(found.bytes);
    }
    let start = range[1] === '' ? size - Number(range[2]) : Number(range[1]);
    let end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start < 0) start = 0;
    if (start >= size || end < start) {
      res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' });
      return res.end();
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) });
    res.end(found.bytes.subarray(start, end + 1));
  };

  const handleSession = async (req: IncomingMessage, res: ServerResponse, id: string, method: string) => {
    const session = sessions.get(id);
    if (!session) throw new HttpFailure(404, 'notFound', 'No such upload session');
    if (method === 'DELETE') {
      sessions.delete(id);
      return send(res, 499);
    }
    if (method !== 'PUT') throw new HttpFailure(405, 'invalid', 'method');
    const body = await readBody(req);
    const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(req.headers['content-range'] ?? '');
    if (!range) throw new HttpFailure(400, 'invalid', 'bad Content-Range');
    if (range[1] !== undefined) {
      const first = Number(range[1]);
      const last = Number(range[2]);
      if (last - first + 1 !== body.byteLength || first !== session.length) throw new HttpFailure(400, 'invalid', 'chunk does not continue the upload');
      const total = range[3] === '*' ? undefined : Number(range[3]);
      if (total === undefined && body.byteLength % (256 * 1024) !== 0) throw new HttpFailure(400, 'invalid', 'chunks must be multiples of 256 KiB');
      session.received.push(body);
      session.length += body.byteLength;
    }
    const total = range[3] === '*' ? undefined : Number(range[3]);
    if (total === undefined || session.length < total) {
      return send(res, 308, undefined, session.length > 0 ? { range: `bytes=0-${session.length - 1}` } : {});
    }
    if (session.length !== total) throw new HttpFailure(400, 'invalid', 'size mismatch');
    const bucket = bucketOf(session.bucket);
    checkConditions(bucket, session.resource.name, session.conditions);
    sessions.delete(id);
    const stored = commit(session.bucket, session.resource, Buffer.concat(session.received));
    return send(res, 200, stored.resource);
  };

  const list = (bucket: Map<string, StoredObject>, q: URLSearchParams) => {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const startOffset = q.get('startOffset');
    const after = q.get('pageToken') === null ? undefined : Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8');
    const maxResults = Math.min(1000, Number(q.get('maxResults') ?? 1000));
    const names = [...bucket.keys()]
      .filter((n) => n.startsWith(prefix) && (startOffset === null || byteOrder(n, startOffset) >= 0) && (after === undefined || byteOrder(n, after) > 0))
      .sort(byteOrder);
    const items: unknown[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let i = 0;
    for (; i < names.length && items.length + prefixes.length < maxResults; i++) {
      const n = names[i]!;
      const cut = delimiter ? n.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const group = n.slice(0, cut + delimiter.length);
        prefixes.push(group);
        while (i + 1 < names.length && names[i + 1]!.startsWith(group)) i++;
        last = names[i];
      } else {
        items.push(bucket.get(n)!.resource);
        last = n;
      }
    }
    return {
      kind: 'storage#objects',
      ...(items.length > 0 && { items }),
      ...(prefixes.length > 0 && { prefixes }),
      ...(i < names.length && last !== undefined && { nextPageToken: Buffer.from(last).toString('base64url') }),
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const failure = err instanceof HttpFailure ? err : new HttpFailure(500, 'backendError', String(err));
      if (!res.headersSent) send(res, failure.status, { error: { code: failure.status, message: failure.message, errors: [{ reason: failure.reason, message: failure.message }] } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    buckets,
    requests,
    createBucket: (name) => void buckets.set(name, new Map()),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function splitMultipart(body: Buffer, boundary: string): { contentType: string; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { contentType: string; body: Buffer }[] = [];
  let index = body.indexOf(delimiter);
  while (index >= 0) {
    const start = index + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    parts.push({ contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream', body: part.subarray(split + 4) });
    index = next;
  }
  return parts;
}
