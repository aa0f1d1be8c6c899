/**
 * S3 listings over objects.list. GCS lists names in lexicographic order of
 * their UTF-8 bytes, which is S3's order, and groups on a delimiter of any
 * length as S3 does; so a page is read straight from the service's pages:
 * `prefix` (with the base prefix), `delimiter`, and `startOffset` at the
 * listing's start point (inclusive in GCS; the start point itself and a
 * common prefix at or before it are skipped by `listSorted`). Each service
 * page's objects and prefixes are merged in byte order; a service that
 * answered out of order or grouped otherwise is caught, not passed on.
 *
 * The continuation token is the last key or common prefix returned (the
 * gateway wraps it in its own signed token): the next page starts there, so
 * no service page token has to outlive one request. The connection's
 * multipart area never appears: entries under it are dropped, and a common
 * prefix holding only the area is checked for other objects before it is shown.
 */
import { BackendError } from '../../core/backend-errors.ts';
import type { ListParams, ListResult } from '../../core/backend.ts';
import { compareKeys, laterKey } from '../../core/s3/key-order.ts';
import { listSorted } from '../../core/s3/list-sorted.ts';
import type { GcsBucketClient } from './bucket-client.ts';
import { objectSummary, type GcsObject } from './object-resource.ts';

/** Bound on service pages read for one listing page. */
const MAX_SERVICE_PAGES = 10_000;

interface Entry {
  key: string;
  object?: GcsObject;
}

export async function listObjects(client: GcsBucketClient, base: string, area: string, params: ListParams): Promise<ListResult> {
  if (params.maxKeys <= 0) return { objects: [], commonPrefixes: [], isTruncated: false };
  const after = laterKey(params.startAfter || undefined, params.continuationToken || undefined);
  const fullPrefix = base + params.prefix;
  const startOffset = after !== undefined && compareKeys(base + after, fullPrefix) > 0 ? base + after : undefined;
  const maxResults = Math.min(1000, Math.max(params.maxKeys + 1, 100));

  async function* entries(): AsyncGenerator<Entry> {
    let pageToken: string | undefined;
    let previous: string | undefined;
    for (let pages = 0; pages < MAX_SERVICE_PAGES; pages++) {
      const page = await client.listPage(
        { prefix: fullPrefix, ...(params.delimiter && { delimiter: params.delimiter }), ...(startOffset && { startOffset }), ...(pageToken && { pageToken }), maxResults },
        params.signal,
      );
      const merged: Entry[] = [];
      for (const object of page.items) {
        if (object.name.startsWith(area)) continue;
        merged.push({ key: strip(base, object.name), object });
      }
      for (const prefix of page.prefixes) {
        const key = strip(base, prefix);
        const cut = key.indexOf(params.delimiter ?? '', params.prefix.length);
        if (!params.delimiter || cut < 0 || cut + params.delimiter.length !== key.length) {
          throw new BackendError('storage backend grouped a listing on another boundary than the delimiter');
        }
        if (prefix.startsWith(area) || (area.startsWith(prefix) && !(await holdsOtherThanArea(client, prefix, area, params.signal)))) continue;
        merged.push({ key });
      }
      merged.sort((x, y) => compareKeys(x.key, y.key));
      for (const entry of merged) {
        // A prefix may repeat at a page boundary (listSorted drops the repeat); anything else must ascend.
        if (previous !== undefined && compareKeys(previous, entry.key) > 0) throw new BackendError('storage backend listed names out of byte order');
        previous = entry.key;
        yield entry;
      }
      if (!page.nextPageToken) return;
      pageToken = page.nextPageToken;
    }
    throw new BackendError('listing did not end within the page bound');
  }

  return listSorted(entries(), { ...params, startAfter: after, continuationToken: undefined }, {
    summarize: (entry) => (entry.object ? objectSummary(entry.key, entry.object) : undefined),
  });
}

function strip(base: string, name: string): string {
  if (!name.startsWith(base)) throw new BackendError('storage backend listed a name outside the requested prefix');
  return name.slice(base.length);
}

/** Whether any object under `prefix` lies outside the multipart area (which `prefix` contains). */
async function holdsOtherThanArea(client: GcsBucketClient, prefix: string, area: string, signal?: AbortSignal): Promise<boolean> {
  // Names under `prefix` sort before the area, inside it, or after every name in it.
  const before = await client.listPage({ prefix, maxResults: 1 }, signal);
  if (before.items.some((o) => !o.name.startsWith(area))) return true;
  const past = await client.listPage({ prefix, startOffset: `${area}\u{10FFFF}`, maxResults: 1 }, signal);
  return past.items.some((o) => !o.name.startsWith(area));
}
