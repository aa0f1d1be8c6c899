/**
 * CreateBucket's request line and headers (`PUT /{bucket}`): the name is
 * checked against S3's bucket naming rules here, before anything else, and
 * headers asking for bucket features Sluice does not offer (object lock,
 * ACLs other than private) name the feature instead of being ignored. The
 * optional `CreateBucketConfiguration` document is read by the handler,
 * once the body is authenticated (`create-bucket-configuration.ts`).
 */
import { bucketNameProblem } from '../../config/rules.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';
import type { AddressingStyle, S3Operation } from './operation.ts';

const GRANT_HEADERS = ['x-amz-grant-full-control', 'x-amz-grant-read', 'x-amz-grant-read-acp', 'x-amz-grant-write', 'x-amz-grant-write-acp'];

export function parseCreateBucket(headers: HeaderMap, bucket: string, style: AddressingStyle): S3Operation {
  const problem = bucketNameProblem(bucket);
  if (problem) throw new S3Error('InvalidBucketName', `The specified bucket is not valid: the name ${problem}.`, { BucketName: bucket });
  if (headers['x-amz-bucket-object-lock-enabled']?.toLowerCase() === 'true') {
    return { name: 'Unsupported', operation: 'object lock', bucket };
  }
  const acl = headers['x-amz-acl'];
  if ((acl !== undefined && acl !== 'private') || GRANT_HEADERS.some((name) => headers[name] !== undefined)) {
    return { name: 'Unsupported', operation: 'bucket ACLs', bucket };
  }
  return { name: 'CreateBucket', bucket, style };
}
