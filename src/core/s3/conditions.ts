/**
 * Read preconditions (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since) evaluated the way S3 does, following RFC 9110 §13.2.2:
 *
 * 1. If-Match false → 412. If-Match absent: If-Unmodified-Since false → 412.
 *    (A true If-Match makes If-Unmodified-Since irrelevant.)
 * 2. If-None-Match matching → 304. If-None-Match absent: If-Modified-Since
 *    not modified → 304. (A present, non-matching If-None-Match makes
 *    If-Modified-Since irrelevant.)
 *
 * Entity tags compare strongly on their opaque part: a `W/` prefix is ignored
 * and unquoted client values are accepted, as S3 does. HTTP dates have no
 * sub-second part, so the object's time is truncated to whole seconds.
 */
import type { ReadConditions } from '../backend.ts';
import { NotModifiedError, PreconditionFailedError } from '../backend-errors.ts';

export interface ConditionSubject {
  /** Quoted entity tag as stored. */
  etag: string;
  lastModified: Date;
}

export type ConditionOutcome = 'ok' | 'not-modified' | 'precondition-failed';

export function evaluateConditions(info: ConditionSubject, c: ReadConditions): ConditionOutcome {
  return failedCondition(info, c) ? 'precondition-failed' : notModified(info, c) ? 'not-modified' : 'ok';
}

/** Like `evaluateConditions`, but throws `PreconditionFailedError` / `NotModifiedError`. */
export function applyConditions(info: ConditionSubject, c: ReadConditions | undefined): void {
  if (!c) return;
  const failed = failedCondition(info, c);
  if (failed) throw new PreconditionFailedError(failed);
  if (notModified(info, c)) throw new NotModifiedError(info.etag, info.lastModified);
}

/** The name of the failing precondition header, if any. */
function failedCondition(info: ConditionSubject, c: ReadConditions): string | undefined {
  if (c.ifMatch !== undefined) return etagListMatches(c.ifMatch, info.etag) ? undefined : 'If-Match';
  if (isDate(c.ifUnmodifiedSince) && seconds(info.lastModified) > seconds(c.ifUnmodifiedSince)) {
    return 'If-Unmodified-Since';
  }
  return undefined;
}

function notModified(info: ConditionSubject, c: ReadConditions): boolean {
  if (c.ifNoneMatch !== undefined) return etagListMatches(c.ifNoneMatch, info.etag);
  return isDate(c.ifModifiedSince) && seconds(info.lastModified) <= seconds(c.ifModifiedSince);
}

/** Whether a header value (`*`, or a list of possibly weak, possibly unquoted tags) names this entity tag. */
export function etagListMatches(header: string, etag: string): boolean {
  const target = opaqueTag(etag);
  let i = 0;
  const n = header.length;
  while (i < n) {
    const ch = header[i]!;
    if (ch === ',' || ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    let end: number;
    let tag: string;
    let start = i;
    if (header.startsWith('W/', start)) start += 2;
    if (header[start] === '"') {
      const close = header.indexOf('"', start + 1);
      end = close < 0 ? n : close + 1;
      tag = header.slice(start + 1, close < 0 ? n : close);
    } else {
      const comma = header.indexOf(',', start);
      end = comma < 0 ? n : comma;
      tag = header.slice(start, end).trim();
    }
    if (tag === '*' || tag === target) return true;
    i = end;
  }
  return false;
}

function opaqueTag(etag: string): string {
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  return bare.length >= 2 && bare.startsWith('"') && bare.endsWith('"') ? bare.slice(1, -1) : bare;
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function isDate(date: Date | undefined): date is Date {
  return date !== undefined && !Number.isNaN(date.getTime());
}
