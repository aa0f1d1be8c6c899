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
import type { Body } from '../../core/body.ts';
import { readInChunks, type ChunkedBody } from '../chunked-body.ts';
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
  const { signal } = request;
  let sent = 0;
  let session: string | undefined;
  /** Whether the session's resource already carried the checksum. */
  let checksumSent = false;
  const sendChunk = async (chunk: Uint8Array) => {
    if (session === undefined) {
      const entry = checksumEntry(request.checksum);
      checksumSent = entry !== undefined;
      session = await client.openSession({ ...request.resource, metadata: { ...request.resource.metadata, ...entry } }, request.conditions, signal);
    }
    await client.sendChunk(session, chunk, sent, undefined, signal);
    sent += chunk.byteLength;
  };
  let read: ChunkedBody;
  try {
    read = await readInChunks(body, client.opts.chunkSize, sendChunk, signal);
  } catch (err) {
    if (session !== undefined) await client.cancelSession(session);
    throw err;
  }
  const { last, md5Hex, size } = read;
  if (session === undefined) {
    const resource = {
      ...request.resource,
      md5Hash: md5HexToBase64(md5Hex),
      metadata: { ...request.resource.metadata, ...checksumEntry(request.checksum) },
    };
    return { object: await client.insertWhole(resource, last, request.conditions, signal), md5Hex, size };
  }
  let object: GcsObject | undefined;
  try {
    object = await client.sendChunk(session, last, sent, size, signal);
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
