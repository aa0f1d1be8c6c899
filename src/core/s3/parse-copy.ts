/**
 * CopyObject's request: `x-amz-copy-source` names `[/]bucket/key`,
 * URL-encoded, with an optional `?versionId=` (the account and product in
 * path-mapped mode); the metadata directive says whether the copy keeps the
 * source's metadata or takes the request's; `x-amz-copy-source-if-*` are the
 * source's preconditions.
 */
import { invalidArgument } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';
import { decodeKeyBytes } from './keys.ts';
import type { AddressingStyle, S3Operation } from './operation.ts';
import { parseQuery } from './query.ts';
import { conditionsFromHeaders, metadataFromHeaders } from './request-headers.ts';

export function parseCopy(headers: HeaderMap, bucket: string, style: AddressingStyle, key: string, checkKey: (key: string) => string): S3Operation {
  const header = headers['x-amz-copy-source']!;
  const q = header.indexOf('?');
  const version = q === -1 ? undefined : parseQuery(header.slice(q + 1)).get('versionId');
  if (version !== undefined && version !== 'null') return { name: 'Unsupported', operation: 'copying object versions', bucket, key };
  const invalid = () => invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', header);
  // Decoded whole, then split at the first slash: clients encode the separator or not (a bucket name holds none).
  const source = decodeKeyBytes(q === -1 ? header : header.slice(0, q))?.replace(/^\//, '');
  const slash = source?.indexOf('/') ?? -1;
  if (source === undefined || slash <= 0 || slash === source.length - 1) throw invalid();
  const directive = (headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', headers['x-amz-metadata-directive']);
  }
  return {
    name: 'CopyObject',
    bucket,
    style,
    key,
    source: { bucket: source.slice(0, slash), key: checkKey(source.slice(slash + 1)) },
    metadataDirective: directive,
    metadata: metadataFromHeaders(headers),
    sourceConditions: conditionsFromHeaders(headers, 'x-amz-copy-source-'),
  };
}
