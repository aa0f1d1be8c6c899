/**
 * Prefix templates for buckets clients create: where an account's new bucket
 * goes on its connection, e.g. `{bucket}/` or `tenants/{account}/{bucket}/`.
 * `{bucket}` is required and, like `{account}`, must be a whole path
 * segment, so distinct (account, bucket) pairs can never expand to
 * prefixes that overlap.
 */
import { normalizePrefix, prefixProblem } from './rules.ts';

export const DEFAULT_BUCKET_PREFIX_TEMPLATE = '{bucket}/';

const PLACEHOLDERS = new Set(['{account}', '{bucket}']);

export function bucketPrefixTemplateProblem(template: string): string | undefined {
  const segments = template.replace(/\/$/, '').split('/');
  for (const segment of segments) {
    if (PLACEHOLDERS.has(segment) || !/[{}]/.test(segment)) continue;
    const known = [...segment.matchAll(/\{([^}]*)\}/g)].every((m) => PLACEHOLDERS.has(m[0])) && /\{[a-z]+\}/.test(segment);
    return known
      ? 'placeholders must be whole path segments ("{account}/{bucket}/", not "{account}-{bucket}/")'
      : 'the only placeholders are {account} and {bucket}';
  }
  if (!segments.includes('{bucket}')) return 'must contain {bucket} as a whole path segment, e.g. "{bucket}/" or "{account}/{bucket}/"';
  if (segments.filter((s) => s === '{bucket}').length > 1) return 'must contain {bucket} once';
  const sample = prefixProblem(expandSample(template));
  return sample ? `expands to a prefix that ${sample.replace(/^must/, 'would')}` : undefined;
}

/** The prefix the template gives an account's bucket, normalized (ending in "/"). Checked names only: bucket names never hold "/". */
export function expandBucketPrefix(template: string, account: string, bucket: string): string {
  return normalizePrefix(template.split('/').map((s) => (s === '{account}' ? account : s === '{bucket}' ? bucket : s)).join('/'));
}

function expandSample(template: string): string {
  return expandBucketPrefix(template, 'account', 'bucket');
}
