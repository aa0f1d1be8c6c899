/**
 * The S3 backend's multipart uploads: each operation maps to the store's
 * own (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads), signed on the way
 * out like every other call, with the connection's base prefix added to keys
 * and markers and stripped from what comes back. The store's upload ids are
 * bound to its keys already; its answers (NoSuchUpload, InvalidPart,
 * EntityTooSmall) become the backend's typed errors.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ObjectMetadata, PutOptions, PutResult } from '../../core/backend.ts';
import type {
  CompleteOptions, CompletedPart, ListPartsParams, ListPartsResult, ListUploadsParams, ListUploadsResult, MultipartOperations, UploadedPart,
} from '../../core/backend-capabilities.ts';
import {
  BackendError, BackendUnavailableError, EntityTooSmallError, InvalidPartError, NoSuchUploadError, ObjectTooLargeError,
} from '../../core/backend-errors.ts';
import { type Body, discardBody, readAll } from '../../core/body.ts';
import { MIN_PART_BYTES } from '../../core/multipart/completion.ts';
import { encodeQuery, bucketUrl, objectUrl } from './addressing.ts';
import { conditionalWriteError, writeConditionHeaders } from './conditional-put.ts';
import { mapBucketError, mapObjectError } from './errors.ts';
import { metadataHeaders } from './object-headers.ts';
import type { ResolvedS3Options } from './options.ts';
import { S3ResponseError, type S3Transport, consumeBody } from './transport.ts';
import { completeMultipartUploadXml, decodeXmlText, parseCompleteMultipartUpload, parseErrorDocument, parseUploadId, quoteEtag } from './xml.ts';

const DOCUMENT_LIMIT = 16 * 1024 * 1024;
/** A part without a declared length is held in memory to be sent with one; this bounds it. */
const UNSIZED_PART_LIMIT = 64 * 1024 * 1024;

const ARRAY_PATHS = new Set([
  'ListPartsResult.Part', 'ListPartsResponse.Part', 'ListMultipartUploadsResult.Upload', 'ListMultipartUploadsResult.CommonPrefixes',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

type Node = Record<string, unknown>;
const child = (node: unknown, name: string): unknown => (node !== null && typeof node === 'object' ? (node as Node)[name] : undefined);
const text = (node: unknown): string | undefined => (typeof node === 'string' ? decodeXmlText(node) : undefined);

export interface S3MultipartHost {
  opts: ResolvedS3Options;
  transport: S3Transport;
  assertWritable(): void;
}

export class S3Multipart implements MultipartOperations {
  constructor(private readonly host: S3MultipartHost) {}

  private get opts(): ResolvedS3Options {
    return this.host.opts;
  }

  private url(key: string, query: Record<string, string | undefined>): string {
    return objectUrl(this.opts, this.opts.prefix + key, encodeQuery(query));
  }

  async create(key: string, metadata: ObjectMetadata, options: { signal?: AbortSignal } = {}): Promise<{ uploadId: string }> {
    this.host.assertWritable();
    try {
      const res = await this.host.transport.send({
        operation: 'CreateMultipartUpload',
        method: 'POST',
        url: this.url(key, { uploads: '' }),
        headers: { ...metadataHeaders(metadata), ...uploadChecksumHeaders(metadata) },
        idempotent: false,
        signal: options.signal,
      });
      return { uploadId: parseUploadId(await documentText(res.body)) };
    } catch (err) {
      throw mapMultipartError(err, key, '');
    }
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    try {
      this.host.assertWritable();
    } catch (err) {
      discardBody(body);
      throw err;
    }
    let payload: Body | Uint8Array = body;
    const headers: Record<string, string> = {};
    if (options.contentLength === undefined) {
      payload = await readAll(body, UNSIZED_PART_LIMIT).catch((err: unknown) => {
        throw err instanceof RangeError ? new ObjectTooLargeError(UNSIZED_PART_LIMIT) : err;
      });
    } else {
      headers['content-length'] = String(options.contentLength);
    }
    // A part checksum known before the body is sent goes along for the store to verify and keep.
    const checksum = options.checksum?.value;
    if (options.checksum && checksum !== undefined) headers[`x-amz-checksum-${options.checksum.algorithm.toLowerCase()}`] = checksum;
    try {
      const res = await this.host.transport.send({
        operation: 'UploadPart',
        method: 'PUT',
        url: this.url(key, { partNumber: String(partNumber), uploadId }),
        headers,
        body: payload,
        // A streamed body can be sent only once; bytes in memory may be sent again.
        idempotent: payload instanceof Uint8Array,
        signal: options.signal,
      });
      await consumeBody(res.body);
      return { etag: quoteEtag(res.headers['etag'] ?? '') };
    } catch (err) {
      throw mapMultipartError(err, key, uploadId);
    }
  }

  async complete(key: string, uploadId: string, parts: readonly CompletedPart[], options: CompleteOptions = {}): Promise<PutResult> {
    this.host.assertWritable();
    let xml: string;
    // The upload's checksum, the parts' checksums and write preconditions go to the store, which checks them itself.
    const headers: Record<string, string> = { 'content-type': 'application/xml', ...(options.conditions && writeConditionHeaders(options.conditions)) };
    const checksum = options.checksum;
    if (checksum) {
      headers['x-amz-checksum-type'] = checksum.type;
      if (checksum.expected !== undefined) headers[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksum.expected;
    }
    const documentParts = parts.map((p) => ({
      partNumber: p.partNumber,
      etag: quoteEtag(p.etag),
      ...(checksum && p.checksum !== undefined && { checksum: { algorithm: checksum.algorithm, value: p.checksum } }),
    }));
    try {
      const res = await this.host.transport.send({
        operation: 'CompleteMultipartUpload',
        method: 'POST',
        url: this.url(key, { uploadId }),
        headers,
        body: new TextEncoder().encode(completeMultipartUploadXml(documentParts)),
        idempotent: false,
        signal: options.signal,
      });
      xml = await documentText(res.body);
    } catch (err) {
      throw options.conditions && err instanceof S3ResponseError && (err.status === 412 || err.status === 409)
        ? conditionalWriteError(err, key, options.conditions)
        : mapMultipartError(err, key, uploadId, parts);
    }
    const result = parseCompleteMultipartUpload(xml);
    if (result) return result;
    // S3 may answer 200 and still report a failure in the document.
    const detail = parseErrorDocument(xml);
    throw mapMultipartError(new S3ResponseError('CompleteMultipartUpload', detail.code === 'NoSuchUpload' ? 404 : 400, {}, detail), key, uploadId, parts);
  }

  async abort(key: string, uploadId: string): Promise<void> {
    this.host.assertWritable();
    try {
      const res = await this.host.transport.send({
        operation: 'AbortMultipartUpload',
        method: 'DELETE',
        url: this.url(key, { uploadId }),
        idempotent: true,
      });
      await consumeBody(res.body);
    } catch (err) {
      throw mapMultipartError(err, key, uploadId);
    }
  }

  async listParts(key: string, uploadId: string, params: ListPartsParams): Promise<ListPartsResult> {
    let xml: string;
    try {
      const res = await this.host.transport.send({
        operation: 'ListParts',
        method: 'GET',
        url: this.url(key, {
          uploadId,
          'max-parts': String(params.maxParts),
          'part-number-marker': params.partNumberMarker === undefined ? undefined : String(params.partNumberMarker),
        }),
        idempotent: true,
        signal: params.signal,
      });
      xml = await documentText(res.body);
    } catch (err) {
      throw mapMultipartError(err, key, uploadId);
    }
    // Some servers (moto) name the root `ListPartsResponse`.
    const document = parser.parse(xml) as unknown;
    const root = child(document, 'ListPartsResult') ?? child(document, 'ListPartsResponse');
    if (root === undefined) throw new BackendError('storage backend sent an unreadable ListParts answer');
    const parts = ((child(root, 'Part') as unknown[] | undefined) ?? []).map((p): UploadedPart => ({
      partNumber: Number(text(child(p, 'PartNumber'))),
      etag: quoteEtag(text(child(p, 'ETag')) ?? ''),
      size: Number(text(child(p, 'Size')) ?? '0'),
      lastModified: new Date(text(child(p, 'LastModified')) ?? 0),
    }));
    const isTruncated = text(child(root, 'IsTruncated')) === 'true';
    const next = text(child(root, 'NextPartNumberMarker'));
    const result: ListPartsResult = { parts, isTruncated };
    if (isTruncated && next && /^\d+$/.test(next)) result.nextPartNumberMarker = Number(next);
    return result;
  }

  async listUploads(params: ListUploadsParams): Promise<ListUploadsResult> {
    const base = this.opts.prefix;
    let xml: string;
    try {
      const res = await this.host.transport.send({
        operation: 'ListMultipartUploads',
        method: 'GET',
        url: bucketUrl(this.opts, encodeQuery({
          uploads: '',
          prefix: base + params.prefix || undefined,
          delimiter: params.delimiter,
          'key-marker': params.keyMarker === undefined ? undefined : base + params.keyMarker,
          'upload-id-marker': params.uploadIdMarker,
          'max-uploads': String(params.maxUploads),
        })),
        idempotent: true,
        signal: params.signal,
      });
      xml = await documentText(res.body);
    } catch (err) {
      throw mapBucketError(err);
    }
    const root = child(parser.parse(xml), 'ListMultipartUploadsResult');
    if (root === undefined) throw new BackendError('storage backend sent an unreadable ListMultipartUploads answer');
    const strip = (key: string): string => {
      if (!key.startsWith(base)) throw new BackendError('storage backend listed an upload outside the requested prefix');
      return key.slice(base.length);
    };
    const uploads = ((child(root, 'Upload') as unknown[] | undefined) ?? []).map((u) => ({
      key: strip(text(child(u, 'Key')) ?? ''),
      uploadId: text(child(u, 'UploadId')) ?? '',
      initiated: new Date(text(child(u, 'Initiated')) ?? 0),
    }));
    const commonPrefixes = ((child(root, 'CommonPrefixes') as unknown[] | undefined) ?? []).map((p) => strip(text(child(p, 'Prefix')) ?? ''));
    const isTruncated = text(child(root, 'IsTruncated')) === 'true';
    const result: ListUploadsResult = { uploads, commonPrefixes, isTruncated };
    if (isTruncated) {
      const nextKey = text(child(root, 'NextKeyMarker'));
      const nextId = text(child(root, 'NextUploadIdMarker'));
      if (nextKey) result.nextKeyMarker = strip(nextKey);
      if (nextId) result.nextUploadIdMarker = nextId;
    }
    return result;
  }
}

async function documentText(body: Body): Promise<string> {
  return new TextDecoder().decode(await readAll(body, DOCUMENT_LIMIT));
}

/** The store's multipart answers as typed errors; anything else as an object request's failure. */
/** CreateMultipartUpload's `x-amz-checksum-algorithm` and `-type`, from the upload's checksum (no value yet). */
function uploadChecksumHeaders(metadata: ObjectMetadata): Record<string, string> {
  const checksum = metadata.checksum;
  return checksum ? { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type } : {};
}

function mapMultipartError(err: unknown, key: string, uploadId: string, parts: readonly CompletedPart[] = []): unknown {
  if (err instanceof SyntaxError) return new BackendUnavailableError('storage backend sent an unreadable answer', err);
  if (!(err instanceof S3ResponseError)) return err;
  switch (err.code) {
    case 'NoSuchUpload':
      return new NoSuchUploadError(uploadId);
    case 'InvalidPart':
    case 'InvalidPartOrder': {
      const first = parts[0];
      return new InvalidPartError(first?.partNumber ?? 0, first?.etag ?? '');
    }
    case 'EntityTooSmall':
      return new EntityTooSmallError(parts[0]?.partNumber ?? 0, 0, MIN_PART_BYTES);
    default:
      return mapObjectError(err, key);
  }
}
