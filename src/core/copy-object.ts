/**
 * Copying an object, on any pair of backends: the destination's native copy
 * when source and destination are one backend that has it, otherwise the
 * bytes stream through (get → put) with the source's metadata, never held
 * whole in memory.
 */
import type { Backend, ObjectInfo, ObjectMetadata } from './backend.ts';
import { type CopyOptions, type CopyResult, hasNativeCopy } from './backend-capabilities.ts';

export async function copyObject(
  source: Backend,
  sourceKey: string,
  destination: Backend,
  destinationKey: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  if (source === destination && hasNativeCopy(destination)) return destination.copy(sourceKey, destinationKey, options);
  const { signal } = options;
  const { info, body } = await source.get(sourceKey, {
    ...(options.conditions !== undefined && { conditions: options.conditions }),
    ...(signal !== undefined && { signal }),
  });
  const { etag } = await destination.put(destinationKey, body, options.metadata ?? metadataOf(info), {
    contentLength: info.size,
    ...(signal !== undefined && { signal }),
  });
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
