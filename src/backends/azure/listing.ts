/**
 * S3 listings over List Blobs, in S3's order.
 *
 * S3 lists in UTF-8 byte order. The Blob service may order differently
 * (Azurite compares UTF-16 code units, which puts astral characters before
 * U+E000–U+FFFF). Two orders of that kind can disagree only where an entry
 * holds a surrogate (an astral character), so a page is served straight from
 * the service's order ("streaming") while every entry seen is surrogate-free
 * and strictly ascending in byte order; the first entry that is not makes
 * the listing fall back to "sorted" mode: every entry under the prefix is
 * read (at most `MAX_SORTED_ENTRIES`), sorted by byte order and paged from
 * there, each later page included.
 *
 * Streaming keeps Azure's delimiter grouping and markers, so a page costs
 * what the service's page costs. The continuation token is opaque to the
 * gateway: the last entry returned, and (streaming) the service marker of the
 * page it came from, so the next page resumes there and skips up to it.
 * `startAfter` without a token has no service counterpart: entries up to it
 * are read and skipped.
 */
import { BackendError } from '../../core/backend-errors.ts';
import type { ListParams, ListResult, ObjectSummary } from '../../core/backend.ts';
import { compareKeys, laterKey } from '../../core/s3/key-order.ts';
import { listSorted } from '../../core/s3/list-sorted.ts';
import { ESCAPED_FOLDER_START, fromBlobName, isReservedName, RESERVED_FOLDER, toBlobName } from './blob-names.ts';
import { s3Etag, storageClassOf } from './object-headers.ts';
import type { ListBlobsPage, ListedEntry } from './xml.ts';

/** The most entries a sorted-mode listing reads under one prefix. */
export const MAX_SORTED_ENTRIES = 100_000;
/** Bound on service pages read for one listing page. */
const MAX_SERVICE_PAGES = 100_000;

/** Reads one List Blobs page: names are full blob names (with the connection's base prefix). */
export type ListBlobsPageReader = (query: { prefix: string; delimiter?: string; marker?: string; maxResults: number }) => Promise<ListBlobsPage>;

interface Token {
  /** The last key or common prefix returned. */
  a: string;
  /** Streaming: the service marker of the page holding `a` (absent: the first page). */
  m?: string;
  /** Sorted mode. */
  s?: 1;
}

function encodeToken(token: Token): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(token)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeToken(text: string): Token {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const token = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Token;
    if (typeof token.a !== 'string' || (token.m !== undefined && typeof token.m !== 'string')) throw new TypeError('bad token');
    return token;
  } catch {
    throw new BackendError('continuation token not issued by this backend');
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

class OrderBreak extends Error {}

interface Entry {
  key: string;
  listed: ListedEntry;
}

/** Only blobs become objects; a service prefix entry always groups into a common prefix first. */
function summarize(entry: Entry): ObjectSummary | undefined {
  const listed = entry.listed;
  if (listed.kind !== 'blob') return undefined;
  const storageClass = storageClassOf(listed.metadata);
  return {
    key: entry.key, size: listed.size, etag: s3Etag(listed.azureEtag, listed.contentMd5, listed.metadata), lastModified: listed.lastModified,
    ...(storageClass !== undefined && { storageClass }),
  };
}

function rawName(base: string, name: string): string {
  if (!name.startsWith(base)) throw new BackendError('storage backend listed a name outside the requested prefix');
  return name.slice(base.length);
}

/** The service cannot group on this delimiter (it cut a prefix somewhere else): group in the gateway. */
class DelimiterUnsupported extends Error {}

/**
 * One service page as entries with keys, sorted by byte order (a service may
 * send its prefixes and blobs apart, as Azurite does); prefix entries are
 * checked to end at the first delimiter after the prefix, as S3 groups.
 */
async function readPage(read: ListBlobsPageReader, base: string, params: ListParams, serviceDelimiter: string | undefined, marker: string | undefined, maxResults: number) {
  const page = await read({ prefix: base + toBlobName(params.prefix), delimiter: serviceDelimiter, marker, maxResults });
  const entries: Entry[] = [];
  for (const listed of page.entries) {
    const raw = rawName(base, listed.name);
    // The upload registry's folder is never listed (a common prefix `.sluice/` included).
    if (isReservedName(raw)) continue;
    if (listed.kind === 'prefix') {
      // A service prefix such as `.s` may hold nothing but the registry, and one in the escaped `.sluice~…/` space
      // may cut where the key would not: group in the gateway, over names it has filtered and decoded.
      if (RESERVED_FOLDER.startsWith(raw) || raw.startsWith(ESCAPED_FOLDER_START)) throw new DelimiterUnsupported();
    }
    const key = fromBlobName(raw);
    // An escaped name may sit under the service prefix while its key is not under the listing's prefix.
    if (!key.startsWith(params.prefix)) continue;
    entries.push({ key, listed });
  }
  for (const entry of entries) {
    if (entry.listed.kind !== 'prefix') continue;
    const cut = entry.key.indexOf(params.delimiter!, params.prefix.length);
    if (cut < 0 || cut + params.delimiter!.length !== entry.key.length) throw new DelimiterUnsupported();
  }
  entries.sort((x, y) => compareKeys(x.key, y.key));
  return { entries, nextMarker: page.nextMarker };
}

export async function listObjects(read: ListBlobsPageReader, base: string, params: ListParams): Promise<ListResult> {
  if (params.maxKeys <= 0) return { objects: [], commonPrefixes: [], isTruncated: false };
  const token = params.continuationToken ? decodeToken(params.continuationToken) : undefined;
  const after = laterKey(params.startAfter || undefined, token?.a);
  const sorted = token?.s === 1 || SURROGATE.test(params.prefix) || (after !== undefined && SURROGATE.test(after)) || SURROGATE.test(params.delimiter ?? '');
  // The service groups on the delimiter when it can; the gateway does otherwise (`listSorted` groups either way).
  let serviceDelimiter = params.delimiter ? toBlobName(params.delimiter) : undefined;
  for (let tries = 0; tries < 2; tries++) {
    try {
      if (!sorted) {
        try {
          return await streamingPage(read, base, params, serviceDelimiter, after, token?.m);
        } catch (err) {
          if (!(err instanceof OrderBreak)) throw err;
        }
      }
      return await sortedPage(read, base, params, serviceDelimiter, after);
    } catch (err) {
      if (!(err instanceof DelimiterUnsupported) || serviceDelimiter === undefined) throw err;
      serviceDelimiter = undefined;
    }
  }
  throw new BackendError('listing could not be served');
}

function withToken(result: ListResult, token: (last: string) => string): ListResult {
  if (result.nextContinuationToken === undefined) return result;
  return { ...result, nextContinuationToken: token(result.nextContinuationToken) };
}

async function streamingPage(read: ListBlobsPageReader, base: string, params: ListParams, serviceDelimiter: string | undefined, after: string | undefined, startMarker: string | undefined): Promise<ListResult> {
  const maxResults = Math.min(5000, Math.max(params.maxKeys + 1, 100));
  // The service marker each yielded entry came with, so the next page resumes at its page.
  const markers = new Map<string, string | undefined>();
  async function* entries(): AsyncGenerator<Entry> {
    let marker = startMarker;
    let previous: string | undefined;
    for (let pages = 0; pages < MAX_SERVICE_PAGES; pages++) {
      const page = await readPage(read, base, params, serviceDelimiter, marker, maxResults);
      for (const entry of page.entries) {
        const key = entry.key;
        if (SURROGATE.test(key) || (previous !== undefined && compareKeys(previous, key) >= 0)) throw new OrderBreak();
        previous = key;
        markers.set(key, marker);
        yield entry;
      }
      if (!page.nextMarker) return;
      marker = page.nextMarker;
    }
    throw new BackendError('listing did not end within the page bound');
  }
  const result = await listSorted(entries(), { ...params, startAfter: after, continuationToken: undefined }, { summarize });
  return withToken(result, (last) => {
    const marker = markers.get(last);
    return encodeToken(marker === undefined ? { a: last } : { a: last, m: marker });
  });
}

async function sortedPage(read: ListBlobsPageReader, base: string, params: ListParams, serviceDelimiter: string | undefined, after: string | undefined): Promise<ListResult> {
  const all: Entry[] = [];
  let marker: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= MAX_SERVICE_PAGES) throw new BackendError('listing did not end within the page bound');
    const page = await readPage(read, base, params, serviceDelimiter, marker, 5000);
    for (const entry of page.entries) {
      all.push(entry);
      if (all.length > MAX_SORTED_ENTRIES) {
        throw new BackendError(`listing needs reordering and holds more than ${MAX_SORTED_ENTRIES} entries under one prefix`);
      }
    }
    if (!page.nextMarker) break;
    marker = page.nextMarker;
  }
  all.sort((x, y) => compareKeys(x.key, y.key));
  const result = await listSorted(all, { ...params, startAfter: after, continuationToken: undefined }, { summarize });
  return withToken(result, (last) => encodeToken({ a: last, s: 1 }));
}
