/**
 * PUT of a body whose length is unknown. A body that fits in one part goes up
 * as a single PutObject (from memory, so it can be retried); a longer one as a
 * multipart upload, one part in memory at a time, aborted if anything fails.
 */
import { toWebStream, readAll, type Body } from '../../core/body.ts';
import type { HeaderMap } from '../../core/http.ts';
import { BackendUnavailableError } from '../../core/backend-errors.ts';
import { encodeQuery, objectUrl } from './addressing.ts';
import type { ResolvedS3Options } from './options.ts';
import { PartReader } from './part-reader.ts';
import type { S3Transport } from './transport.ts';
import { completeMultipartUploadXml, parseCompleteMultipartUpload, parseUploadId, quoteEtag } from './xml.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface UnsizedPutContext {
  opts: ResolvedS3Options;
  transport: S3Transport;
  fullKey: string;
  /** Metadata headers for the object (content-type, x-amz-meta-*, …). */
  headers: HeaderMap;
  signal?: AbortSignal;
}

async function text(body: Body): Promise<string> {
  return decoder.decode(await readAll(body, 1024 * 1024));
}

export async function putUnsized(ctx: UnsizedPutContext, body: Body): Promise<{ etag: string }> {
  const parts = new PartReader(toWebStream(body), ctx.opts.multipartPartSize, ctx.signal);
  let first: Uint8Array;
  try {
    first = await parts.next();
  } catch (err) {
    parts.cancel(err);
    throw err;
  }
  if (!(await parts.hasMore())) {
    const res = await ctx.transport.send({
      operation: 'PutObject',
      method: 'PUT',
      url: objectUrl(ctx.opts, ctx.fullKey),
      headers: ctx.headers,
      body: first,
      idempotent: true,
      signal: ctx.signal,
    });
    await readAll(res.body);
    return { etag: quoteEtag(res.headers['etag'] ?? '') };
  }
  return putMultipart(ctx, parts, first);
}

async function putMultipart(ctx: UnsizedPutContext, parts: PartReader, first: Uint8Array): Promise<{ etag: string }> {
  const { opts, transport, fullKey, signal } = ctx;
  const created = await transport.send({
    operation: 'CreateMultipartUpload',
    method: 'POST',
    url: objectUrl(opts, fullKey, encodeQuery({ uploads: '' })),
    headers: ctx.headers,
    idempotent: true,
    signal,
  });
  const uploadId = parseUploadId(await text(created.body));
  const uploadQuery = (extra: Record<string, string> = {}) => encodeQuery({ ...extra, uploadId });
  try {
    const etags: Array<{ partNumber: number; etag: string }> = [];
    let part: Uint8Array | undefined = first;
    for (let partNumber = 1; part; partNumber++) {
      const res = await transport.send({
        operation: 'UploadPart',
        method: 'PUT',
        url: objectUrl(opts, fullKey, uploadQuery({ partNumber: String(partNumber) })),
        body: part,
        idempotent: true,
        signal,
      });
      await readAll(res.body);
      etags.push({ partNumber, etag: quoteEtag(res.headers['etag'] ?? '') });
      part = (await parts.hasMore()) ? await parts.next() : undefined;
    }
    const done = await transport.send({
      operation: 'CompleteMultipartUpload',
      method: 'POST',
      url: objectUrl(opts, fullKey, uploadQuery()),
      headers: { 'content-type': 'application/xml' },
      body: encoder.encode(completeMultipartUploadXml(etags)),
      idempotent: true,
      signal,
    });
    // S3 may answer 200 and still report a failure in the document.
    const result = parseCompleteMultipartUpload(await text(done.body));
    if (!result) throw new BackendUnavailableError('storage backend unavailable', { operation: 'CompleteMultipartUpload' });
    return result;
  } catch (err) {
    parts.cancel(err);
    await transport
      .send({ operation: 'AbortMultipartUpload', method: 'DELETE', url: objectUrl(opts, fullKey, uploadQuery()), idempotent: true })
      .then((res) => readAll(res.body))
      .catch(() => {});
    throw err;
  }
}
