/**
 * Copying an object, on any pair of backends: the destination's native copy
 * when source and destination are one backend that has it (and the copy has
 * no write preconditions, which a native copy does not take), otherwise the
 * bytes stream through (get → put) with the source's metadata, never held
 * whole in memory.
 */
import type { Backend, ObjectInfo, ObjectMetadata } from './backend.ts';
import { type CopyOptions, type CopyResult, type WriteConditions, hasNativeCopy } from './backend-capabilities.ts';
import { discardBody } from './body.ts';
import { putWithConditions } from './conditional-put.ts';
import { hasWriteConditions } from './s3/write-conditions.ts';

export interface CopyObjectOptions extends CopyOptions {
  /** Preconditions on the destination (`If-None-Match: *`, `If-Match`), checked at the write's commit. */
  writeConditions?: WriteConditions;
  /** Called with the source's info before anything is written; throws to refuse the copy (e.g. too large). */
  checkSource?: (info: ObjectInfo) => void;
}

export async function copyObject(
  source: Backend,
  sourceKey: string,
  destination: Backend,
  destinationKey: string,
  options: CopyObjectOptions = {},
): Promise<CopyResult> {
  const { signal, checkSource, writeConditions } = options;
  const sourceOptions = {
    ...(options.conditions !== undefined && { conditions: options.conditions }),
    ...(signal !== undefined && { signal }),
  };
  if (source === destination && hasNativeCopy(destination) && !hasWriteConditions(writeConditions)) {
    if (checkSource) checkSource(await source.head(sourceKey, sourceOptions));
    const native: CopyOptions = { ...sourceOptions, ...(options.metadata !== undefined && { metadata: options.metadata }) };
    return destination.copy(sourceKey, destinationKey, native);
  }
  const { info, body } = await source.get(sourceKey, sourceOptions);
  let etag: string;
  try {
    checkSource?.(info);
    ({ etag } = await putWithConditions(destination, destinationKey, body, options.metadata ?? metadataOf(info), writeConditions, {
      contentLength: info.size,
      ...(signal !== undefined && { signal }),
    }));
  } catch (error) {
    discardBody(body);
    throw error;
  }
  // A put reports only the ETag; the time comes from the stored object. A write racing in between
  // may have replaced it, and then its time is the closest answer there is.
  const written = await destination.head(destinationKey, signal !== undefined ? { signal } : {});
  return { etag, lastModified: written.lastModified };
}

/** The headers and user metadata an object was written with, as a put takes them. */
export function metadataOf(info: ObjectInfo): ObjectMetadata {
  const metadata: ObjectMetadata = { metadata: { ...info.metadata } };
  if (info.contentType !== undefined) metadata.contentType = info.contentType;
  if (info.contentEncoding !== undefined) metadata.contentEncoding = info.contentEncoding;
  if (info.contentDisposition !== undefined) metadata.contentDisposition = info.contentDisposition;
  if (info.contentLanguage !== undefined) metadata.contentLanguage = info.contentLanguage;
  if (info.cacheControl !== undefined) metadata.cacheControl = info.cacheControl;
  if (info.expires !== undefined) metadata.expires = info.expires;
  return metadata;
}
