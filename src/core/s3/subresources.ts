/**
 * Query names that turn a request into a different S3 operation. A request
 * naming one of these that the gateway does not offer is answered with 501
 * NotImplemented — never served as a plain read or listing.
 */

/** Bucket-level subresources (GET/PUT/DELETE/POST on `/bucket?name`), by the operation they select on GET. */
export const BUCKET_SUBRESOURCES: Record<string, string> = {
  accelerate: 'GetBucketAccelerateConfiguration',
  acl: 'GetBucketAcl',
  analytics: 'GetBucketAnalyticsConfiguration',
  cors: 'GetBucketCors',
  delete: 'DeleteObjects',
  encryption: 'GetBucketEncryption',
  'intelligent-tiering': 'GetBucketIntelligentTieringConfiguration',
  inventory: 'GetBucketInventoryConfiguration',
  lifecycle: 'GetBucketLifecycleConfiguration',
  location: 'GetBucketLocation',
  logging: 'GetBucketLogging',
  metrics: 'GetBucketMetricsConfiguration',
  notification: 'GetBucketNotificationConfiguration',
  'object-lock': 'GetObjectLockConfiguration',
  ownershipControls: 'GetBucketOwnershipControls',
  policy: 'GetBucketPolicy',
  policyStatus: 'GetBucketPolicyStatus',
  publicAccessBlock: 'GetPublicAccessBlock',
  replication: 'GetBucketReplication',
  requestPayment: 'GetBucketRequestPayment',
  session: 'CreateSession',
  tagging: 'GetBucketTagging',
  uploads: 'ListMultipartUploads',
  versioning: 'GetBucketVersioning',
  versions: 'ListObjectVersions',
  website: 'GetBucketWebsite',
};

/** Object-level subresources, by the operation they select on GET. */
export const OBJECT_SUBRESOURCES: Record<string, string> = {
  acl: 'GetObjectAcl',
  attributes: 'GetObjectAttributes',
  'legal-hold': 'GetObjectLegalHold',
  partNumber: 'GetObject with partNumber',
  restore: 'RestoreObject',
  retention: 'GetObjectRetention',
  'select': 'SelectObjectContent',
  tagging: 'GetObjectTagging',
  torrent: 'GetObjectTorrent',
  uploadId: 'ListParts',
  uploads: 'CreateMultipartUpload',
};

/** The first subresource named in the query, if any. */
export function findSubresource(query: Map<string, string>, table: Record<string, string>): string | undefined {
  for (const name of query.keys()) if (Object.hasOwn(table, name)) return name;
  return undefined;
}
