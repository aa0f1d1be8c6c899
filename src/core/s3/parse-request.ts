/**
 * The parse stage: method + raw path + query + headers → a typed `S3Operation`.
 *
 * Addressing: with `virtualHostDomain` set, a Host of `{bucket}.{domain}`
 * names the bucket and the whole path is the key; otherwise the first path
 * segment is the bucket (or, in path-mapped mode, the account — the resolve
 * stage reads the product from the key). Keys are decoded from the raw path
 * exactly once and validated here, so nothing downstream sees a bad key.
 */
import type { ObjectMetadata } from '../backend.ts';
import { S3Error, invalidArgument } from '../errors/s3-error.ts';
import type { GatewayRequest, HeaderMap } from '../http.ts';
import { KEY_TOO_LONG, decodeKeyBytes, validateKey } from './keys.ts';
import type { AddressingStyle, ListQuery, ResponseOverrides, S3Operation } from './operation.ts';
import { parseQuery } from './query.ts';
import { parseCopy } from './parse-copy.ts';
import { parseObjectMultipart, parsePartNumber, parseUploadsQuery } from './parse-multipart.ts';
import { parseRangeHeader } from './range.ts';
import { conditionsFromHeaders, metadataFromHeaders } from './request-headers.ts';
import { unimplementedHeader } from './unimplemented-headers.ts';
import { writeConditionsFromHeaders } from './write-conditions.ts';
import { BUCKET_SUBRESOURCES, OBJECT_SUBRESOURCES, findSubresource } from './subresources.ts';
import { parseCreateBucket } from './parse-create-bucket.ts';

export interface ParseOptions {
  virtualHostDomain?: string;
}


export function parseS3Request(req: GatewayRequest, options: ParseOptions): S3Operation {
  const query = parseQuery(req.rawQuery);
  const target = splitTarget(req, options);
  const method = req.method;

  if (target.bucket === undefined) {
    if (method === 'GET') return { name: 'ListBuckets' };
    return { name: 'Unsupported', operation: `${method} on the service` };
  }
  const { bucket, style } = target;

  if (target.rawKey === undefined) {
    const sub = findSubresource(query, BUCKET_SUBRESOURCES);
    if (method === 'GET' && sub === 'location') return { name: 'GetBucketLocation', bucket, style };
    if (method === 'POST' && sub === 'delete') return { name: 'DeleteObjects', bucket, style };
    if (method === 'GET' && sub === 'uploads') return { name: 'ListMultipartUploads', bucket, style, uploads: parseUploadsQuery(query) };
    if (sub !== undefined) return { name: 'Unsupported', operation: describeSubresource(method, sub, BUCKET_SUBRESOURCES), bucket };
    if (method === 'HEAD') return { name: 'HeadBucket', bucket, style };
    if (method === 'GET') {
      const v2 = query.get('list-type') === '2';
      if (query.has('list-type') && !v2) throw invalidArgument('Invalid list type', 'list-type', query.get('list-type'));
      return { name: v2 ? 'ListObjectsV2' : 'ListObjects', bucket, style, list: parseListQuery(query, v2) };
    }
    if (method === 'PUT') return parseCreateBucket(req.headers, bucket, style);
    if (method === 'DELETE') return { name: 'DeleteBucket', bucket, style };
    return { name: 'Unsupported', operation: method === 'POST' ? 'PostObject' : `${method} on a bucket`, bucket };
  }

  const key = decodeKey(target.rawKey);
  const readsPart = (method === 'GET' || method === 'HEAD') && query.has('partNumber') && !query.has('uploadId');
  const sub = findSubresource(otherSubresources(query, multipartQuery(method, query)), OBJECT_SUBRESOURCES);
  if (sub !== undefined) return { name: 'Unsupported', operation: describeSubresource(method, sub, OBJECT_SUBRESOURCES), bucket, key };
  const versionId = query.get('versionId');
  if (versionId !== undefined && versionId !== 'null') {
    return { name: 'Unsupported', operation: 'object versions', bucket, key };
  }
  // PutObject, CopyObject and CompleteMultipartUpload honour write preconditions among the object writes parsed here.
  const completes = method === 'POST' && query.has('uploadId') && !query.has('uploads');
  const unimplemented = unimplementedHeader(req.headers, method !== 'GET' && method !== 'HEAD', method === 'PUT' || completes);
  if (unimplemented !== undefined) return { name: 'Unsupported', operation: `the ${unimplemented} header`, bucket, key };
  const multipart = parseObjectMultipart(method, query, req.headers, { bucket, style, key }, checkKey);
  if (multipart !== undefined) return multipart;

  switch (method) {
    case 'GET':
    case 'HEAD':
      return {
        name: method === 'GET' ? 'GetObject' : 'HeadObject',
        bucket,
        style,
        key,
        range: parseRangeHeader(req.headers.range),
        conditions: conditionsFromHeaders(req.headers),
        overrides: parseOverrides(query),
        ...(readsPart && { partNumber: readPartNumber(query, req.headers) }),
        ...(req.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && { checksumMode: true }),
      };
    case 'PUT': {
      const writeConditions = writeConditionsFromHeaders(req.headers);
      if (writeConditions === 'unsupported') return { name: 'Unsupported', operation: 'If-None-Match with a value other than *', bucket, key };
      const copySource = req.headers['x-amz-copy-source'];
      if (copySource !== undefined) {
        const copy = parseCopy(req.headers, bucket, style, key, checkKey);
        return copy.name === 'CopyObject' && writeConditions ? { ...copy, writeConditions } : copy;
      }
      return { name: 'PutObject', bucket, style, key, ...parseWriteHeaders(req.headers), ...(writeConditions && { writeConditions }) };
    }
    case 'DELETE':
      return { name: 'DeleteObject', bucket, style, key };
    default:
      return { name: 'Unsupported', operation: `${method} on an object`, bucket, key };
  }
}

interface Target {
  bucket?: string;
  rawKey?: string;
  style: AddressingStyle;
}

function splitTarget(req: GatewayRequest, options: ParseOptions): Target {
  const path = req.rawPath.startsWith('/') ? req.rawPath.slice(1) : req.rawPath;
  const hostBucket = bucketFromHost(req.headers.host, options.virtualHostDomain);
  if (hostBucket !== undefined) {
    return { bucket: hostBucket, rawKey: path === '' ? undefined : path, style: 'virtual-host' };
  }
  if (path === '') return { style: 'path' };
  const slash = path.indexOf('/');
  const rawBucket = slash === -1 ? path : path.slice(0, slash);
  const rawKey = slash === -1 || slash === path.length - 1 ? undefined : path.slice(slash + 1);
  const bucket = decodeKeyBytes(rawBucket);
  if (bucket === null || bucket === '') throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  return { bucket, rawKey, style: 'path' };
}

function bucketFromHost(host: string | undefined, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${domain.toLowerCase()}`;
  if (!name.endsWith(suffix) || name.length === suffix.length) return undefined;
  return name.slice(0, -suffix.length);
}

function decodeKey(rawKey: string): string {
  const key = decodeKeyBytes(rawKey);
  if (key === null) throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  return checkKey(key);
}

function checkKey(key: string): string {
  const problem = validateKey(key);
  if (problem === KEY_TOO_LONG) throw new S3Error('KeyTooLongError', 'Your key is too long');
  if (problem !== null) throw invalidArgument(`Invalid object key: ${problem}`, 'key');
  return key;
}

function describeSubresource(method: string, sub: string, table: Record<string, string>): string {
  const getName = table[sub]!;
  if (method === 'GET' || !getName.startsWith('Get')) return getName;
  const verb = method === 'PUT' ? 'Put' : method === 'DELETE' ? 'Delete' : method;
  return verb + getName.slice(3);
}

function parseListQuery(query: Map<string, string>, v2: boolean): ListQuery {
  const list: ListQuery = {
    prefix: query.get('prefix') ?? '',
    maxKeys: parseMaxKeys(query.get('max-keys')),
    fetchOwner: v2 ? query.get('fetch-owner') === 'true' : true,
  };
  const delimiter = query.get('delimiter');
  if (delimiter) list.delimiter = delimiter;
  const encoding = query.get('encoding-type');
  if (encoding !== undefined) {
    if (encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
    list.encodingType = 'url';
  }
  const startAfter = v2 ? query.get('start-after') : query.get('marker');
  if (startAfter) list.startAfter = startAfter;
  if (v2 && query.has('continuation-token')) {
    const token = query.get('continuation-token')!;
    if (token === '') throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    list.continuationToken = token;
  }
  return list;
}

const MAX_KEYS_LIMIT = 1000;

function parseMaxKeys(value: string | undefined): number {
  if (value === undefined) return MAX_KEYS_LIMIT;
  if (!/^\d{1,10}$/.test(value)) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', value);
  }
  return Math.min(Number(value), MAX_KEYS_LIMIT);
}

const OVERRIDE_NAMES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'] as const;

/** Tab, printable ASCII and Latin-1 text: what an HTTP header value may hold (no CR, LF or other controls). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Overrides become response headers: a value no header may hold is refused here, before any backend is called. */
function parseOverrides(query: Map<string, string>): ResponseOverrides {
  const overrides: ResponseOverrides = {};
  for (const name of OVERRIDE_NAMES) {
    const value = query.get(`response-${name}`);
    if (value === undefined) continue;
    if (!HEADER_VALUE.test(value)) throw invalidArgument(`Invalid value for response-${name}`, `response-${name}`, value);
    overrides[name] = value;
  }
  return overrides;
}

function parseWriteHeaders(headers: HeaderMap): { metadata: ObjectMetadata; contentLength?: number; contentMd5?: string } {
  const metadata = metadataFromHeaders(headers);
  const result: { metadata: ObjectMetadata; contentLength?: number; contentMd5?: string } = { metadata };
  const length = uploadLength(headers);
  if (length !== undefined) result.contentLength = length;
  if (headers['content-md5'] !== undefined) result.contentMd5 = headers['content-md5'];
  return result;
}

/**
 * The object's length as the upload declares it. `x-amz-decoded-content-length`
 * only means something for aws-chunked (`STREAMING-*`) payloads, where it is
 * required; elsewhere it must agree with `Content-Length`, which frames the
 * body on the wire — trusting it instead would let a body longer than the
 * length announced to a backend spill onto the backend connection.
 */
function uploadLength(headers: HeaderMap): number | undefined {
  const contentLength = parseLength(headers['content-length'], 'Content-Length');
  const decodedLength = parseLength(headers['x-amz-decoded-content-length'], 'x-amz-decoded-content-length');
  if (headers['x-amz-content-sha256']?.startsWith('STREAMING-')) {
    if (decodedLength === undefined) throw new S3Error('MissingContentLength', 'You must provide the x-amz-decoded-content-length HTTP header.');
    return decodedLength;
  }
  if (decodedLength !== undefined && decodedLength !== contentLength) {
    throw invalidArgument('x-amz-decoded-content-length is only valid for aws-chunked (STREAMING-*) payloads and must otherwise equal Content-Length.', 'x-amz-decoded-content-length', headers['x-amz-decoded-content-length']);
  }
  return contentLength;
}

function parseLength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw invalidArgument('Invalid content length', name, value);
  return Number(value);
}

/** The query names this method's multipart requests use: handled by `parseObjectMultipart` (or as a part read), not refused. */
function multipartQuery(method: string, query: Map<string, string>): readonly string[] {
  const upload = query.has('uploadId');
  switch (method) {
    case 'POST':
      return ['uploads', 'uploadId'];
    case 'PUT':
      return upload ? ['partNumber', 'uploadId'] : [];
    case 'DELETE':
      return ['uploadId'];
    case 'GET':
      return upload ? ['uploadId'] : ['partNumber'];
    case 'HEAD':
      return upload ? [] : ['partNumber'];
    default:
      return [];
  }
}

function otherSubresources(query: Map<string, string>, handled: readonly string[]): Map<string, string> {
  if (!handled.some((name) => query.has(name))) return query;
  return new Map([...query].filter(([name]) => !handled.includes(name)));
}

/** GetObject/HeadObject `?partNumber=N`; S3 refuses it together with a Range. */
function readPartNumber(query: Map<string, string>, headers: HeaderMap): number {
  const partNumber = parsePartNumber(query.get('partNumber'));
  if (headers.range !== undefined) throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  return partNumber;
}
