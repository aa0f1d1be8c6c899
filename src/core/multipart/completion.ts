/**
 * The rules every backend applies when completing a multipart upload, so
 * memory, fs and any other store that assembles parts itself answer alike:
 * each named part must exist with the entity tag the client names, every
 * part but the last must be at least 5 MiB, and the object's ETag is the MD5
 * of the parts' binary MD5s followed by `-` and the number of parts.
 * (Ascending order is checked earlier, by the request parser.)
 */
import { EntityTooSmallError, InvalidPartError } from '../backend-errors.ts';
import type { CompletedPart } from '../backend-capabilities.ts';
import { md5Hex } from '../md5.ts';

/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3's part numbers run from 1 to 10000. */
export const MAX_PART_NUMBER = 10_000;

/** What a backend knows of a stored part. */
export interface StoredPart {
  partNumber: number;
  /** Quoted MD5 of the part's bytes. */
  etag: string;
  size: number;
}

/** The stored parts the completion names, in its order; InvalidPart or EntityTooSmall otherwise. */
export function selectParts<P extends StoredPart>(requested: readonly CompletedPart[], stored: ReadonlyMap<number, P>): P[] {
  const chosen: P[] = [];
  for (const part of requested) {
    const found = stored.get(part.partNumber);
    if (!found || normalizeEtag(found.etag) !== normalizeEtag(part.etag)) throw new InvalidPartError(part.partNumber, part.etag);
    chosen.push(found);
  }
  for (let i = 0; i < chosen.length - 1; i++) {
    const part = chosen[i]!;
    if (part.size < MIN_PART_BYTES) throw new EntityTooSmallError(part.partNumber, part.size, MIN_PART_BYTES);
  }
  return chosen;
}

/** Clients send the ETag quoted or bare (and some XML-escape the quotes); S3 accepts either. */
export function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toLowerCase();
}

/** S3's ETag of a multipart object: `"<md5 of the concatenated binary part MD5s>-<count>"`. */
export function multipartEtag(partEtags: readonly string[]): string {
  const digests = new Uint8Array(partEtags.length * 16);
  partEtags.forEach((etag, i) => {
    const hex = normalizeEtag(etag);
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`not an MD5 entity tag: ${etag}`);
    for (let b = 0; b < 16; b++) digests[i * 16 + b] = Number.parseInt(hex.slice(b * 2, b * 2 + 2), 16);
  });
  return `"${md5Hex(digests)}-${partEtags.length}"`;
}
