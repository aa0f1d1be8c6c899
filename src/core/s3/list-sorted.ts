/**
 * Listing for backends that can produce their keys in sorted (UTF-8 byte)
 * order: prefix filter, delimiter grouping into common prefixes, exclusive
 * start point, and paging.
 *
 * The continuation token emitted is simply the last key or common prefix
 * returned (the gateway wraps it in its own signed token). As input, the token
 * and `startAfter` are both exclusive start points; the later one wins. A
 * common prefix at or before the start point is skipped entirely, so a V1
 * `NextMarker` that is a common prefix resumes after that whole group.
 *
 * Entries are pulled lazily and iteration stops as soon as the page and the
 * one entry proving truncation are known. When the source can jump past all
 * keys under a prefix (`skipPrefix`), a common prefix's group is skipped
 * without visiting its members; otherwise they are read and discarded.
 */
import type { ListParams, ListResult, ObjectSummary } from '../backend.ts';
import { compareKeys, laterKey } from './key-order.ts';

export interface SortedEntry {
  key: string;
}

export interface ListSortedOptions<T> {
  /** Ask the source to drop every remaining entry whose key starts with `prefix`. */
  skipPrefix?: (prefix: string) => void;
  /**
   * Turn a selected entry into its summary (e.g. stat a file). Called only for
   * the objects that are returned; `undefined` drops the entry (it vanished).
   */
  summarize?: (entry: T) => ObjectSummary | undefined | Promise<ObjectSummary | undefined>;
}

/** The exclusive start point of a listing: the later of `startAfter` and the continuation token. */
export function listStartPoint(params: Pick<ListParams, 'startAfter' | 'continuationToken'>): string | undefined {
  return laterKey(params.startAfter || undefined, params.continuationToken || undefined);
}

/**
 * One page of a listing over entries in `compareKeys` order. The source may
 * start anywhere at or before the prefix/start point; earlier entries are skipped.
 */
export function listSorted(
  entries: Iterable<ObjectSummary> | AsyncIterable<ObjectSummary>,
  params: ListParams,
  options?: ListSortedOptions<ObjectSummary>,
): Promise<ListResult>;
export function listSorted<T extends SortedEntry>(
  entries: Iterable<T> | AsyncIterable<T>,
  params: ListParams,
  options: ListSortedOptions<T> & { summarize: NonNullable<ListSortedOptions<T>['summarize']> },
): Promise<ListResult>;
export async function listSorted<T extends SortedEntry>(
  entries: Iterable<T> | AsyncIterable<T>,
  params: ListParams,
  options: ListSortedOptions<T> = {},
): Promise<ListResult> {
  const { prefix, delimiter, maxKeys, signal } = params;
  if (maxKeys <= 0) return { objects: [], commonPrefixes: [], isTruncated: false };
  const after = listStartPoint(params);
  const selected: T[] = [];
  const commonPrefixes: string[] = [];
  let count = 0;
  let lastPrefix: string | undefined;
  let lastReturned: string | undefined;
  let isTruncated = false;

  for await (const entry of entries) {
    signal?.throwIfAborted();
    const key = entry.key;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) < 0) continue;
      break; // Keys sharing the prefix are contiguous: everything further is past them.
    }
    if (after !== undefined && compareKeys(key, after) <= 0) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const group = key.slice(0, cut + delimiter!.length);
      if (group === lastPrefix) continue;
      lastPrefix = group;
      options.skipPrefix?.(group);
      if (after !== undefined && compareKeys(group, after) <= 0) continue;
      if (count === maxKeys) {
        isTruncated = true;
        break;
      }
      commonPrefixes.push(group);
      lastReturned = group;
    } else {
      if (count === maxKeys) {
        isTruncated = true;
        break;
      }
      selected.push(entry);
      lastReturned = key;
    }
    count++;
  }

  const objects = await summarizeAll(selected, options.summarize);
  const result: ListResult = { objects, commonPrefixes, isTruncated };
  if (isTruncated) result.nextContinuationToken = lastReturned;
  return result;
}

async function summarizeAll<T extends SortedEntry>(
  selected: T[],
  summarize: ListSortedOptions<T>['summarize'],
): Promise<ObjectSummary[]> {
  if (!summarize) return selected as unknown as ObjectSummary[];
  const summaries = await Promise.all(selected.map((entry) => summarize(entry)));
  return summaries.filter((s): s is ObjectSummary => s !== undefined);
}
