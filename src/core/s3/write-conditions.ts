/**
 * Write preconditions (`If-None-Match: *`, `If-Match: <etag>`) on PutObject,
 * CopyObject and CompleteMultipartUpload, as S3 evaluates them at the moment
 * of the commit:
 * - `If-None-Match: *` fails with 412 when any object exists at the key;
 * - `If-Match` fails with 404 NoSuchKey when no object exists, and with 412
 *   when the current object's entity tag differs (compared on the opaque part,
 *   quotes optional, as S3 does).
 *
 * Backends call `checkWriteConditions` at their commit point, under whatever
 * makes the check and the write one atomic step; parsing happens here once.
 */
import { ObjectNotFoundError, PreconditionFailedError } from '../backend-errors.ts';
import type { WriteConditions } from '../backend-capabilities.ts';
import type { HeaderMap } from '../http.ts';
import { etagListMatches } from './conditions.ts';

/** The request headers that carry write preconditions. */
export const WRITE_CONDITION_HEADERS = ['if-match', 'if-none-match'] as const;

/**
 * The write preconditions a request carries: undefined when none, 'unsupported'
 * when `If-None-Match` holds anything but `*` (S3 accepts only `*` on writes).
 */
export function writeConditionsFromHeaders(headers: HeaderMap): WriteConditions | 'unsupported' | undefined {
  const ifMatch = headers['if-match']?.trim();
  const ifNoneMatch = headers['if-none-match']?.trim();
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  const conditions: WriteConditions = {};
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') return 'unsupported';
    conditions.ifNoneMatch = '*';
  }
  if (ifMatch !== undefined) conditions.ifMatch = ifMatch;
  return conditions;
}

/** Whether `conditions` asks for anything. */
export function hasWriteConditions(conditions: WriteConditions | undefined): conditions is WriteConditions {
  return conditions !== undefined && (conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined);
}

/**
 * Throw unless `conditions` hold for the object now at `key` (`current`
 * undefined when there is none). Call at the commit point, atomically with the write.
 */
export function checkWriteConditions(key: string, current: { etag: string } | undefined, conditions: WriteConditions | undefined): void {
  if (!conditions) return;
  if (conditions.ifNoneMatch === '*' && current !== undefined) throw new PreconditionFailedError('If-None-Match');
  if (conditions.ifMatch !== undefined) {
    if (current === undefined) throw new ObjectNotFoundError(key);
    if (!etagListMatches(conditions.ifMatch, current.etag)) throw new PreconditionFailedError('If-Match');
  }
}
