/**
 * AWS SDK for JavaScript clients pointed at a test server.
 */
import { S3Client } from '@aws-sdk/client-s3';

/** A client that sends unsigned requests, as `--no-sign-request` does. */
export function anonymousClient(endpoint: string, options: { forcePathStyle?: boolean } = {}): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? true,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    signer: { sign: async (request) => request },
    maxAttempts: 1,
  });
}

/** A client that signs with the given access key. */
export function signedClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, options: { region?: string } = {}): S3Client {
  return new S3Client({
    endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
  });
}
