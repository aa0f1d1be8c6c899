/**
 * The tag set a write carries in `x-amz-tagging`: URL-encoded `k=v&k2=v2`,
 * checked against S3's limits (at most 10 tags, keys of 1–128 and values of
 * up to 256 characters, no key twice) and stored as sent. Reads report how
 * many tags an object has (`x-amz-tagging-count`).
 */
import { S3Error, invalidArgument } from '../errors/s3-error.ts';

export const MAX_TAGS = 10;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;

/** The tags of an `x-amz-tagging` value, in order; 400 InvalidTag / InvalidArgument when S3 would refuse it. */
export function parseTagging(header: string): [string, string][] {
  const tags: [string, string][] = [];
  const seen = new Set<string>();
  for (const pair of header.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw invalidArgument('The header x-amz-tagging is not properly URL-encoded.', 'x-amz-tagging', header);
    }
    if (key === '' || [...key].length > MAX_KEY_CHARS) throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid');
    if ([...value].length > MAX_VALUE_CHARS) throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid');
    if (seen.has(key)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key');
    seen.add(key);
    tags.push([key, value]);
  }
  if (tags.length > MAX_TAGS) throw new S3Error('BadRequest', 'Object tags cannot be greater than 10');
  return tags;
}

/** How many tags a stored tag set holds (0 for a malformed one: it was checked when written). */
export function tagCount(tagging: string): number {
  try {
    return parseTagging(tagging).length;
  } catch {
    return 0;
  }
}
