/**
 * Headers that change what an operation does. A request carrying one the
 * gateway does not implement is refused (501 NotImplemented) — never served
 * as if the header were absent: an ignored `If-None-Match: *` on a PUT
 * silently overwrites, an ignored customer key serves or stores the wrong
 * bytes.
 */
import type { HeaderMap } from '../http.ts';

/** Honoured nowhere yet, on any object operation. */
const ANY_OPERATION = [
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-expected-bucket-owner',
];

/** Honoured nowhere yet, on writes. */
const WRITES = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  'x-amz-website-redirect-location',
  'x-amz-write-offset-bytes',
];

/**
 * Write preconditions: honoured by the writes that take them (PutObject,
 * CopyObject, CompleteMultipartUpload; see `write-conditions.ts`), refused on
 * every other write.
 */
const CONDITIONAL = ['if-match', 'if-none-match'];

/** Canned ACLs that grant nothing beyond what the gateway's own access rules give: accepted as no-ops. */
const HARMLESS_ACLS = new Set(['private', 'bucket-owner-full-control']);

/**
 * The first header that would change the operation's meaning and is not
 * implemented, if any. `conditionalWrite` says the write honours If-Match /
 * If-None-Match itself.
 */
export function unimplementedHeader(headers: HeaderMap, write: boolean, conditionalWrite = false): string | undefined {
  for (const name of ANY_OPERATION) if (headers[name] !== undefined) return name;
  if (!write) return undefined;
  if (!conditionalWrite) for (const name of CONDITIONAL) if (headers[name] !== undefined) return name;
  for (const name of WRITES) if (headers[name] !== undefined) return name;
  const acl = headers['x-amz-acl'];
  if (acl !== undefined && !HARMLESS_ACLS.has(acl.trim().toLowerCase())) return 'x-amz-acl';
  for (const name in headers) if (name.startsWith('x-amz-grant-')) return name;
  return undefined;
}
