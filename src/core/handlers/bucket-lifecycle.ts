/**
 * CreateBucket and DeleteBucket. The authorize stage has decided that the
 * caller's account may create the bucket (and where it goes) or owns the
 * bucket it deletes; these handlers apply S3's rules to the request and
 * commit through the bucket registry.
 *
 * Creation refuses a name whose place on the connection overlaps another
 * bucket's, or already holds data, so a new bucket never exposes objects
 * it does not own. Deletion needs an empty bucket (BucketNotEmpty);
 * uploads still in progress in it are aborted, as their ids would
 * otherwise outlive the bucket they belong to.
 */
import type { AuthorizedBucketCreation, AuthorizedBucketRemoval } from '../authorize.ts';
import { hasBucketPlaces, hasMultipart } from '../backend-capabilities.ts';
import type { Backend } from '../backend.ts';
import { KeyConflictError } from '../backend-errors.ts';
import { bytesBody, readAll } from '../body.ts';
import type { BucketConfig } from '../config.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import { checkLocationConstraint, parseCreateBucketConfiguration } from '../s3/create-bucket-configuration.ts';
import { malformedXml } from '../s3/xml-read.ts';
import type { RequestContext } from './context.ts';

/** A CreateBucketConfiguration is a few hundred bytes; anything this large is not one. */
const MAX_CONFIGURATION_BYTES = 64 * 1024;
/** Pages of in-progress uploads aborted when a bucket is deleted (1000 each). */
const MAX_UPLOAD_PAGES = 100;

export async function createBucket(ctx: RequestContext, creation: AuthorizedBucketCreation): Promise<GatewayResponse> {
  const constraint = parseCreateBucketConfiguration(await readConfiguration(ctx));
  checkLocationConstraint(constraint, ctx.config.server.region);
  const { bucket, registry } = creation;
  // A name already taken is the registry's to answer (owned or not); only a new name needs a free place.
  if (!(await ctx.resolver.store.getBucket(bucket.name))) {
    const overlapping = (await ctx.resolver.store.listBuckets()).find((other) => other.name !== bucket.name && overlaps(other, bucket));
    if (overlapping) throw alreadyExists(bucket.name, 'Its place on this server overlaps another bucket\'s.');
    if (await holdsAnything(creation.backend, ctx.req.signal)) throw alreadyExists(bucket.name, 'Its place on this server already holds data.');
  }
  const outcome = await registry.create(bucket);
  if (outcome === 'owned') {
    throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket.name });
  }
  if (outcome === 'taken') throw alreadyExists(bucket.name);
  if (hasBucketPlaces(creation.connection)) {
    try {
      await creation.connection.createBucketPlace(bucket.prefix);
    } catch (error) {
      // Nothing half-made stays: the claim goes with the place that could not be made.
      await registry.remove(bucket.name, bucket.account);
      // A file where the bucket's folder would go: the place is taken, as for an overlapping bucket.
      if (error instanceof KeyConflictError) throw alreadyExists(bucket.name, 'Its place on this server is taken by an object.');
      throw error;
    }
  }
  return { status: 200, headers: { location: `/${bucket.name}`, 'content-length': '0' } };
}

export async function deleteBucket(ctx: RequestContext, removal: AuthorizedBucketRemoval): Promise<GatewayResponse> {
  const { bucket, backend, registry } = removal;
  if (await holdsAnything(backend, ctx.req.signal)) {
    throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket.name });
  }
  await abortUploads(backend);
  await registry.remove(bucket.name, bucket.account);
  // The bucket is gone whatever happens to its place: a place left behind (it filled up meanwhile) stays on disk.
  if (hasBucketPlaces(removal.connection)) await removal.connection.removeBucketPlace(bucket.prefix).catch(() => undefined);
  return { status: 204, headers: {} };
}

async function readConfiguration(ctx: RequestContext): Promise<string> {
  try {
    const bytes = await readAll(ctx.req.body ?? bytesBody(''), MAX_CONFIGURATION_BYTES);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw malformedXml();
    throw error;
  }
}

function alreadyExists(name: string, why = ''): S3Error {
  const message = 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.';
  return new S3Error('BucketAlreadyExists', why ? `${message} ${why}` : message, { BucketName: name });
}

/** Whether two buckets share keys: same connection, one prefix inside the other ("" is the whole connection). */
function overlaps(a: BucketConfig, b: BucketConfig): boolean {
  return a.connection === b.connection && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
}

async function holdsAnything(backend: Backend, signal: AbortSignal | undefined): Promise<boolean> {
  const page = await backend.list({ prefix: '', maxKeys: 1, ...(signal && { signal }) });
  return page.objects.length > 0 || page.commonPrefixes.length > 0;
}

async function abortUploads(backend: Backend): Promise<void> {
  if (!hasMultipart(backend)) return;
  for (let page = 0; page < MAX_UPLOAD_PAGES; page++) {
    const { uploads, isTruncated } = await backend.multipart.listUploads({ prefix: '', maxUploads: 1000 });
    for (const upload of uploads) await backend.multipart.abort(upload.key, upload.uploadId);
    if (!isTruncated || uploads.length === 0) return;
  }
}
