/**
 * Reading S3's XML answers: ListObjectsV2 results, error documents and the
 * multipart responses. Values must come back byte-exact (keys may hold
 * spaces, `&`, control characters), so the parser neither trims nor converts
 * anything, and entities are decoded here, numeric references included.
 */
import { XMLParser } from 'fast-xml-parser';
import { decodeXmlText } from '../../core/s3/xml-read.ts';

export { decodeXmlText };

const ARRAY_PATHS = new Set(['ListBucketResult.Contents', 'ListBucketResult.CommonPrefixes']);

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

type Node = Record<string, unknown>;

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return decodeXmlText(node);
  return undefined;
}

function child(node: unknown, name: string): unknown {
  return node !== null && typeof node === 'object' ? (node as Node)[name] : undefined;
}

/** Decode `encoding-type=url` values: percent escapes, and `+` for a space as S3 writes it. */
function urlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  storageClass?: string;
}

export interface ListObjectsV2Page {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

/** Quote an entity tag if a server left the quotes off. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}

export function parseListObjectsV2(xml: string): ListObjectsV2Page {
  const root = child(parser.parse(xml), 'ListBucketResult');
  if (root === undefined) throw new SyntaxError('not a ListBucketResult document');
  // Only decode when the server says it encoded: some servers ignore encoding-type.
  const decode = text(child(root, 'EncodingType')) === 'url' ? urlDecode : (value: string) => value;
  const contents = (child(root, 'Contents') as unknown[] | undefined) ?? [];
  const prefixes = (child(root, 'CommonPrefixes') as unknown[] | undefined) ?? [];
  const objects = contents.map((entry): ListedObject => {
    const storageClass = text(child(entry, 'StorageClass'));
    return {
      key: decode(text(child(entry, 'Key')) ?? ''),
      size: Number(text(child(entry, 'Size')) ?? '0'),
      etag: quoteEtag(text(child(entry, 'ETag')) ?? ''),
      lastModified: new Date(text(child(entry, 'LastModified')) ?? 0),
      ...(storageClass ? { storageClass } : {}),
    };
  });
  const token = text(child(root, 'NextContinuationToken'));
  return {
    objects,
    commonPrefixes: prefixes.map((entry) => decode(text(child(entry, 'Prefix')) ?? '')),
    isTruncated: text(child(root, 'IsTruncated')) === 'true',
    ...(token ? { nextContinuationToken: token } : {}),
  };
}

export interface S3ErrorDocument {
  code?: string;
  message?: string;
  requestId?: string;
  actualObjectSize?: number;
}

/** The fields of an `<Error>` document; empty when the body is not one. */
export function parseErrorDocument(xml: string): S3ErrorDocument {
  let root: unknown;
  try {
    root = child(parser.parse(xml), 'Error');
  } catch {
    return {};
  }
  if (root === undefined) return {};
  const size = text(child(root, 'ActualObjectSize'));
  const doc: S3ErrorDocument = {};
  const code = text(child(root, 'Code'));
  const message = text(child(root, 'Message'));
  const requestId = text(child(root, 'RequestId'));
  if (code) doc.code = code;
  if (message) doc.message = message;
  if (requestId) doc.requestId = requestId;
  if (size !== undefined && /^\d+$/.test(size)) doc.actualObjectSize = Number(size);
  return doc;
}

/** The `UploadId` of an InitiateMultipartUploadResult. */
export function parseUploadId(xml: string): string {
  const id = text(child(child(parser.parse(xml), 'InitiateMultipartUploadResult'), 'UploadId'));
  if (!id) throw new SyntaxError('no UploadId in InitiateMultipartUploadResult');
  return id;
}

/**
 * The ETag of a CompleteMultipartUploadResult, or undefined when the document
 * is an `<Error>` (S3 may send one with 200) or has no ETag. The root's name is
 * not checked: some servers call it `CompleteMultipartUploadResponse`.
 */
export function parseCompleteMultipartUpload(xml: string): { etag: string } | undefined {
  const doc = parser.parse(xml) as Node;
  if ('Error' in doc) return undefined;
  const root = Object.values(doc).find((value) => value !== null && typeof value === 'object');
  const etag = text(child(root, 'ETag'));
  return etag ? { etag: quoteEtag(etag) } : undefined;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The CompleteMultipartUpload request document. */
export function completeMultipartUploadXml(parts: Array<{ partNumber: number; etag: string; checksum?: { algorithm: string; value: string } }>): string {
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
  const items = parts.map((p) => {
    const checksum = p.checksum ? `<Checksum${p.checksum.algorithm}>${escape(p.checksum.value)}</Checksum${p.checksum.algorithm}>` : '';
    return `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escape(p.etag)}</ETag>${checksum}</Part>`;
  });
  return `<CompleteMultipartUpload>${items.join('')}</CompleteMultipartUpload>`;
}
