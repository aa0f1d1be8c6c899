/**
 * Which GETs the hot-range cache may serve. Two stages, both pure: before
 * anything is known of the object (the request's own shape and the bucket's
 * visibility), and once its metadata is known (a strong ETag, a span within
 * `maxSpan`). Anything refused goes to the backend exactly as without a
 * cache.
 */
import type { ByteRange, RangeRequest } from '../backend.ts';
import type { RangeCacheSettings } from './settings.ts';

export type BypassReason =
  | 'full-object'
  | 'open-ended'
  | 'private'
  | 'weak-etag'
  | 'span'
  | 'conditional'
  | 'changed'
  | 'backend-error';

export interface RequestShape {
  range: RangeRequest | undefined;
  partNumber: number | undefined;
  /** Anonymous callers may read the bucket. */
  publicBucket: boolean;
}

/** Why the request goes straight to the backend, or undefined when the cache may take it. */
export function bypassBeforeMetadata(request: RequestShape, settings: RangeCacheSettings): BypassReason | undefined {
  const { range } = request;
  if (range === undefined || request.partNumber !== undefined) return 'full-object';
  if (range.kind === 'from' && range.first === 0) return 'open-ended';
  if (!request.publicBucket && !settings.includePrivate) return 'private';
  return undefined;
}

/** Why the resolved read goes straight to the backend, or undefined when the cache may serve it. */
export function bypassWithMetadata(etag: string, range: ByteRange, settings: RangeCacheSettings): BypassReason | undefined {
  if (!isStrongEtag(etag)) return 'weak-etag';
  if (range.end - range.start + 1 > settings.maxSpan) return 'span';
  return undefined;
}

/** A quoted, non-empty entity tag without the `W/` prefix: the only kind that names one byte sequence. */
export function isStrongEtag(etag: string): boolean {
  return etag.length > 2 && etag.startsWith('"') && etag.endsWith('"');
}
