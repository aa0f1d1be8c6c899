/**
 * Uploading a body as an object without ever sending a stream: the body is
 * read into a chunk-sized buffer. A body that ends within the first chunk
 * goes up in one multipart/related upload (bytes in memory, so it can be
 * retried, carrying its MD5 for GCS to verify). A longer one opens a
 * resumable session and is sent chunk by chunk; the last chunk, sent only
 * once the body ended cleanly, names the total size and commits the object.
 * A body that fails midway or at its end therefore commits nothing: the
 * session is cancelled and the previous version stays.
 */
import { BackendError } from '../../core/backend-errors.ts';
import type { ObjectChecksum } from '../../core/backend.ts';
import { toWebStream, type Body } from '../../core/body.ts';
import { createMd5 } from '../../core/md5.ts';
import type { GcsBucketClient, GenerationConditions } from './bucket-client.ts';
import { checksumEntry, md5Base64ToHex, md5HexToBase64, type GcsObject, type GcsObjectWrite } from './object-resource.ts';

export interface UploadRequest {
  resource: GcsObjectWrite & { name: string };
  conditions?: GenerationConditions;
  /** A checksum whose value may be known only once the body has ended (a trailer). */
  checksum?: ObjectChecksum;
  signal?: AbortSignal;
}

export interface UploadResult {
  object: GcsObject;
  md5Hex: string;
  size: number;
}

export async function uploadObject(client: GcsBucketClient, body: Body, request: UploadRequest): Promise<UploadResult> {
  const chunkSize = client.opts.chunkSize;
  const { signal } = request;
  const reader = toWebStream(body).getReader();
  const md5 = createMd5();
  let buffer = new Uint8Array(chunkSize);
  let filled = 0;
  let size = 0;
  let sent = 0;
  let session: string | undefined;
  /** Whether the session's resource already carried the checksum. */
  let checksumSent = false;
  const flush = async () => {
    if (session === undefined) {
      const entry = checksumEntry(request.checksum);
      checksumSent = entry !== undefined;
      session = await client.openSession({ ...request.resource, metadata: { ...request.resource.metadata, ...entry } }, request.conditions, signal);
    }
    await client.sendChunk(session, buffer.subarray(0, filled), sent, undefined, signal);
    sent += filled;
    buffer = new Uint8Array(chunkSize);
    filled = 0;
  };
  try {
    for (;;) {
      const { done, value } = await readUnlessAborted(reader, signal);
      if (done) break;
      md5.update(value);
      size += value.byteLength;
      let offset = 0;
      while (offset < value.byteLength) {
        // A full chunk is sent only once more bytes arrive, so a body of exactly one chunk stays one request.
        if (filled === chunkSize) await flush();
        const take = Math.min(chunkSize - filled, value.byteLength - offset);
        buffer.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
      }
    }
  } catch (err) {
    reader.cancel(err).catch(() => {});
    if (session !== undefined) await client.cancelSession(session);
    throw err;
  }
  const md5Hex = md5.digestHex();
  if (session === undefined) {
    const resource = {
      ...request.resource,
      md5Hash: md5HexToBase64(md5Hex),
      metadata: { ...request.resource.metadata, ...checksumEntry(request.checksum) },
    };
    return { object: await client.insertWhole(resource, buffer.subarray(0, filled), request.conditions, signal), md5Hex, size };
  }
  let object: GcsObject | undefined;
  try {
    object = await client.sendChunk(session, buffer.subarray(0, filled), sent, size, signal);
  } catch (err) {
    await client.cancelSession(session);
    throw err;
  }
  if (!object) throw new BackendError('storage backend did not finish the upload');
  if (md5Base64ToHex(object.md5Hash) !== md5Hex) {
    throw new BackendError('storage backend stored content whose MD5 differs from the bytes sent', { cause: { name: request.resource.name } });
  }
  const late = checksumSent ? undefined : checksumEntry(request.checksum);
  if (late) object = await client.patchMetadata(request.resource.name, object.generation, late, signal);
  return { object, md5Hex, size };
}

/** The next chunk, or the abort reason as soon as the caller goes away (a stalled body never blocks). */
function readUnlessAborted(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal | undefined): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (!signal) return reader.read();
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([reader.read(), aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
