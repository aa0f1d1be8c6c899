/**
 * ListMultipartUploads (`GET /bucket?uploads`): the uploads in progress
 * under a prefix, grouped by delimiter, in key order and, per key, in the
 * order the backend keeps them. Upload ids (and the upload-id marker) are
 * sealed to their keys as everywhere else.
 */
import type { AuthorizedUploads } from '../authorize.ts';
import type { ListUploadsParams } from '../backend-capabilities.ts';
import { invalidArgument } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import type { OperationOf } from '../s3/operation.ts';
import { type XmlNode, xmlDate, xmlDocument } from '../s3/xml.ts';
import { type RequestContext, ownerOf, xmlResponse } from './context.ts';
import { multipartOf } from './multipart.ts';

export async function listMultipartUploads(ctx: RequestContext, op: OperationOf<'ListMultipartUploads'>, target: AuthorizedUploads): Promise<GatewayResponse> {
  const multipart = multipartOf(target.backend);
  const query = op.uploads;
  const binding = (key: string) => ({ connection: target.bucket.connection, bucket: target.bucket.name, key });
  const params: ListUploadsParams = { prefix: query.prefix, maxUploads: query.maxUploads, signal: ctx.req.signal };
  if (query.delimiter !== undefined) params.delimiter = query.delimiter;
  if (query.keyMarker !== undefined) {
    params.keyMarker = query.keyMarker;
    if (query.uploadIdMarker !== undefined) {
      params.uploadIdMarker = await ctx.uploadIds.open(query.uploadIdMarker, binding(query.keyMarker)).catch(() => {
        throw invalidArgument('Invalid uploadId marker', 'upload-id-marker', query.uploadIdMarker);
      });
    }
  }
  const result = await multipart.listUploads(params);
  const encode = query.encodingType === 'url' ? (s: string) => encodeURIComponent(s).replace(/%2F/g, '/') : (s: string) => s;
  const owner = ownerOf(target.bucket.account);
  const who: XmlNode[] = [['ID', owner.id], ['DisplayName', owner.displayName]];
  const nextUploadIdMarker = result.nextUploadIdMarker !== undefined && result.nextKeyMarker !== undefined
    ? await ctx.uploadIds.seal(result.nextUploadIdMarker, binding(result.nextKeyMarker))
    : undefined;
  const nodes: XmlNode[] = [
    ['Bucket', op.bucket],
    ['KeyMarker', encode(query.keyMarker ?? '')],
    ['UploadIdMarker', query.uploadIdMarker ?? ''],
    ['NextKeyMarker', result.nextKeyMarker === undefined ? undefined : encode(result.nextKeyMarker)],
    ['NextUploadIdMarker', nextUploadIdMarker],
    ['Prefix', encode(query.prefix)],
    ['Delimiter', query.delimiter === undefined ? undefined : encode(query.delimiter)],
    ['MaxUploads', query.maxUploads],
    ['EncodingType', query.encodingType],
    ['IsTruncated', result.isTruncated],
  ];
  for (const upload of result.uploads) {
    nodes.push(['Upload', [
      ['Key', encode(upload.key)],
      ['UploadId', await ctx.uploadIds.seal(upload.uploadId, binding(upload.key))],
      ['Initiator', who],
      ['Owner', who],
      ['StorageClass', 'STANDARD'],
      ['Initiated', xmlDate(upload.initiated)],
    ]]);
  }
  for (const prefix of result.commonPrefixes) nodes.push(['CommonPrefixes', [['Prefix', encode(prefix)]]]);
  return xmlResponse(xmlDocument('ListMultipartUploadsResult', nodes));
}
