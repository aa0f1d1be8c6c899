/**
 * Listing an account in path-mapped mode: `GET /{account}?list-type=2`.
 *
 * The account behaves as one bucket whose keys are `{product}/{key}`: each
 * readable product contributes its keys under its name, products follow one
 * another in key order (sorted by `name/`), and with a delimiter a product can
 * roll up into a common prefix (`landsat/` for delimiter `/`). Positions are
 * either "after this virtual key" or "inside this product at the backend's
 * own position", so every backend's native pagination is kept. Which
 * products may be descended into was settled by the authorize stage.
 */
import type { AccountProduct, AuthorizedAccountListing } from '../authorize.ts';
import type { ListResult, ObjectSummary } from '../backend.ts';
import { compareKeys } from '../s3/key-order.ts';
import type { ListQuery } from '../s3/operation.ts';
import type { RequestContext } from './context.ts';
import type { Lister, ListPage } from './list.ts';

type Position = { after: string } | { product: string; inner: string };

function encodePosition(position: Position): string {
  return JSON.stringify(position);
}

function decodePosition(text: string): Position | undefined {
  try {
    const value = JSON.parse(text) as Position;
    if (typeof value === 'object' && value !== null && ('after' in value || 'product' in value)) return value;
  } catch {
    // fall through: an unreadable position starts from the top
  }
  return undefined;
}

export function accountLister(ctx: RequestContext, listing: AuthorizedAccountListing): Lister {
  return { list: (query, position) => listProducts(ctx, listing.account, listing.products, query, position) };
}

async function listProducts(
  ctx: RequestContext,
  account: string,
  products: readonly AccountProduct[],
  query: ListQuery,
  positionText: string | undefined,
): Promise<ListPage> {
  const position = positionText === undefined ? undefined : decodePosition(positionText);
  let after = query.startAfter;
  if (position && 'after' in position && (after === undefined || compareKeys(position.after, after) > 0)) after = position.after;
  const objects: ObjectSummary[] = [];
  const commonPrefixes: string[] = [];
  const result: ListResult = { objects, commonPrefixes, isTruncated: false };
  const page: ListPage = { result, account };
  const full = () => objects.length + commonPrefixes.length >= query.maxKeys;
  let lastEmitted: string | undefined;
  if (query.maxKeys === 0) return page;

  for (const { root, bucket, listing } of products) {
    const resumeInside = position && 'product' in position && position.product === bucket.name ? position.inner : undefined;
    if (position && 'product' in position && compareKeys(root, `${position.product}/`) < 0) continue;
    if (!root.startsWith(query.prefix) && !query.prefix.startsWith(root)) continue;
    if (after !== undefined && !after.startsWith(root) && compareKeys(after, root) > 0) continue;

    if (full()) {
      result.isTruncated = true;
      break;
    }

    const rollUp = rolledUpPrefix(root, query);
    if (rollUp !== undefined) {
      if ((after === undefined || compareKeys(rollUp, after) > 0) && commonPrefixes.at(-1) !== rollUp) {
        commonPrefixes.push(rollUp);
        lastEmitted = rollUp;
      }
      continue;
    }
    // Visible, but not listable at this depth: its keys stay out of the listing.
    if (!listing) continue;

    const inner = await listing.backend.list({
      prefix: query.prefix.startsWith(root) ? query.prefix.slice(root.length) : '',
      delimiter: query.delimiter,
      startAfter: after !== undefined && after.startsWith(root) ? after.slice(root.length) : undefined,
      continuationToken: resumeInside,
      maxKeys: query.maxKeys - objects.length - commonPrefixes.length,
      signal: ctx.req.signal,
    });
    for (const object of inner.objects) objects.push({ ...object, key: root + object.key });
    for (const prefix of inner.commonPrefixes) commonPrefixes.push(root + prefix);
    if (inner.isTruncated) {
      result.isTruncated = true;
      if (inner.nextContinuationToken !== undefined) {
        result.nextContinuationToken = encodePosition({ product: bucket.name, inner: inner.nextContinuationToken });
      }
      return page;
    }
    const last = [objects.at(-1)?.key, commonPrefixes.at(-1)].filter((k): k is string => k !== undefined).sort(compareKeys).at(-1);
    if (last !== undefined) lastEmitted = last;
  }
  if (result.isTruncated && lastEmitted !== undefined) result.nextContinuationToken = encodePosition({ after: lastEmitted });
  sortEntries(result);
  return page;
}

/** With a delimiter, the common prefix a whole product folds into, if the delimiter occurs in `{product}/` past the prefix. */
function rolledUpPrefix(root: string, query: ListQuery): string | undefined {
  if (query.delimiter === undefined || query.prefix.length >= root.length) return undefined;
  const at = root.indexOf(query.delimiter, query.prefix.length);
  if (at === -1 || at + query.delimiter.length > root.length) return undefined;
  return root.slice(0, at + query.delimiter.length);
}

function sortEntries(result: ListResult): void {
  result.objects.sort((a, b) => compareKeys(a.key, b.key));
  result.commonPrefixes.sort(compareKeys);
}
