/**
 * Paging the parts of an upload and the uploads of a store, for backends
 * that hold the whole (small) inventory at hand: memory, and fs after
 * reading its uploads folder. Uploads sort by key in S3's order, then by
 * initiation time, then by id; a key marker alone resumes after every upload
 * of that key, with an upload-id marker after that upload; a key marker that
 * is a common prefix resumes after the whole group.
 */
import type { ListPartsParams, ListPartsResult, ListUploadsParams, ListUploadsResult, MultipartUploadSummary, UploadedPart } from '../backend-capabilities.ts';
import { compareKeys } from '../s3/key-order.ts';

export function pageParts(parts: Iterable<UploadedPart>, params: ListPartsParams): ListPartsResult {
  const marker = params.partNumberMarker ?? 0;
  const after = [...parts].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = after.slice(0, Math.max(0, params.maxParts));
  const isTruncated = after.length > page.length;
  const result: ListPartsResult = { parts: page, isTruncated };
  if (isTruncated && page.length > 0) result.nextPartNumberMarker = page.at(-1)!.partNumber;
  return result;
}

export function compareUploads(a: MultipartUploadSummary, b: MultipartUploadSummary): number {
  return compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || compareKeys(a.uploadId, b.uploadId);
}

export function pageUploads(all: Iterable<MultipartUploadSummary>, params: ListUploadsParams): ListUploadsResult {
  const { prefix, delimiter, keyMarker, uploadIdMarker } = params;
  const sorted = [...all].filter((u) => u.key.startsWith(prefix)).sort(compareUploads);
  let start = 0;
  if (keyMarker !== undefined) {
    const markerGroup = delimiter !== undefined && keyMarker.startsWith(prefix) && keyMarker.endsWith(delimiter)
      && keyMarker.slice(prefix.length).indexOf(delimiter) === keyMarker.length - prefix.length - delimiter.length;
    const markerIndex = uploadIdMarker === undefined ? -1 : sorted.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
    start = sorted.findIndex((u, i) => {
      const order = compareKeys(u.key, keyMarker);
      if (markerGroup && u.key.startsWith(keyMarker)) return false;
      if (order > 0) return true;
      return order === 0 && markerIndex !== -1 && i > markerIndex;
    });
    if (start === -1) start = sorted.length;
  }
  const result: ListUploadsResult = { uploads: [], commonPrefixes: [], isTruncated: false };
  if (params.maxUploads <= 0) return result;
  let count = 0;
  let last: { key: string; uploadId?: string } | undefined;
  for (let i = start; i < sorted.length; i++) {
    const upload = sorted[i]!;
    const rest = upload.key.slice(prefix.length);
    const cut = delimiter === undefined ? -1 : rest.indexOf(delimiter);
    const group = cut === -1 ? undefined : prefix + rest.slice(0, cut + delimiter!.length);
    if (group !== undefined && result.commonPrefixes.at(-1) === group) continue;
    if (count === params.maxUploads) {
      result.isTruncated = true;
      break;
    }
    count++;
    if (group !== undefined) {
      result.commonPrefixes.push(group);
      last = { key: group };
    } else {
      result.uploads.push(upload);
      last = { key: upload.key, uploadId: upload.uploadId };
    }
  }
  if (result.isTruncated && last) {
    result.nextKeyMarker = last.key;
    if (last.uploadId !== undefined) result.nextUploadIdMarker = last.uploadId;
  }
  return result;
}
