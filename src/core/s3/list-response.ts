/**
 * The XML documents for ListObjectsV2, ListObjects (V1) and ListBuckets.
 */
import type { ListResult } from '../backend.ts';
import { compareKeys } from './key-order.ts';
import type { ListQuery } from './operation.ts';
import { type XmlNode, xmlDate, xmlDocument } from './xml.ts';

export interface Owner {
  id: string;
  displayName: string;
}

/** S3's `encoding-type=url`: percent-encode, leaving `/` readable as S3 does. */
function urlEncodeKey(text: string): string {
  return encodeURIComponent(text).replace(/%2F/g, '/');
}

function ownerNode(owner: Owner): XmlNode {
  return ['Owner', [['ID', owner.id], ['DisplayName', owner.displayName]]];
}

function entries(result: ListResult, encode: (s: string) => string, owner: Owner | undefined): XmlNode[] {
  const nodes: XmlNode[] = result.objects.map((o): XmlNode => ['Contents', [
    ['Key', encode(o.key)],
    ['LastModified', xmlDate(o.lastModified)],
    ['ETag', o.etag],
    ['Size', o.size],
    owner ? ownerNode(owner) : ['Owner', undefined],
    ['StorageClass', o.storageClass ?? 'STANDARD'],
  ]]);
  for (const prefix of result.commonPrefixes) nodes.push(['CommonPrefixes', [['Prefix', encode(prefix)]]]);
  return nodes;
}

export interface ListV2Page {
  bucket: string;
  query: ListQuery;
  result: ListResult;
  nextContinuationToken?: string;
  owner?: Owner;
}

export function listObjectsV2Xml(page: ListV2Page): string {
  const { query, result } = page;
  const encode = query.encodingType === 'url' ? urlEncodeKey : (s: string) => s;
  return xmlDocument('ListBucketResult', [
    ['Name', page.bucket],
    ['Prefix', encode(query.prefix)],
    ['ContinuationToken', query.continuationToken],
    ['NextContinuationToken', result.isTruncated ? page.nextContinuationToken : undefined],
    ['StartAfter', query.startAfter === undefined ? undefined : encode(query.startAfter)],
    ['KeyCount', result.objects.length + result.commonPrefixes.length],
    ['MaxKeys', query.maxKeys],
    ['Delimiter', query.delimiter === undefined ? undefined : encode(query.delimiter)],
    ['EncodingType', query.encodingType],
    ['IsTruncated', result.isTruncated],
    ...entries(result, encode, query.fetchOwner ? page.owner : undefined),
  ]);
}

export interface ListV1Page {
  bucket: string;
  query: ListQuery;
  result: ListResult;
  owner: Owner;
}

/** The last key or common prefix of a page: where the next V1 page starts. */
export function lastListed(result: ListResult): string | undefined {
  const lastKey = result.objects.at(-1)?.key;
  const lastPrefix = result.commonPrefixes.at(-1);
  if (lastKey === undefined) return lastPrefix;
  if (lastPrefix === undefined) return lastKey;
  return compareKeys(lastKey, lastPrefix) > 0 ? lastKey : lastPrefix;
}

export function listObjectsV1Xml(page: ListV1Page): string {
  const { query, result } = page;
  const encode = query.encodingType === 'url' ? urlEncodeKey : (s: string) => s;
  const nextMarker = result.isTruncated && query.delimiter !== undefined ? lastListed(result) : undefined;
  return xmlDocument('ListBucketResult', [
    ['Name', page.bucket],
    ['Prefix', encode(query.prefix)],
    ['Marker', encode(query.startAfter ?? '')],
    ['NextMarker', nextMarker === undefined ? undefined : encode(nextMarker)],
    ['MaxKeys', query.maxKeys],
    ['Delimiter', query.delimiter === undefined ? undefined : encode(query.delimiter)],
    ['EncodingType', query.encodingType],
    ['IsTruncated', result.isTruncated],
    ...entries(result, encode, page.owner),
  ]);
}

export function listBucketsXml(owner: Owner, buckets: { name: string; created: Date }[]): string {
  return xmlDocument('ListAllMyBucketsResult', [
    ownerNode(owner),
    ['Buckets', buckets.map((b): XmlNode => ['Bucket', [['Name', b.name], ['CreationDate', xmlDate(b.created)]]])],
  ]);
}

export function locationXml(region: string): string {
  // S3 reports us-east-1 as an empty LocationConstraint.
  const value = region === 'us-east-1' ? '' : region;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${value}</LocationConstraint>`;
}
