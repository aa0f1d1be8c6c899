/**
 * Decoding a raw query string. Repeated names keep their first value, as S3
 * does; a name without `=` has the empty value (subresources like `?acl`).
 */
import { S3Error } from '../errors/s3-error.ts';

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new S3Error('InvalidArgument', 'The query string is not properly encoded.');
  }
}

export function parseQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  if (rawQuery === '') return params;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}
