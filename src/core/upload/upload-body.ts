/**
 * The body of a PutObject on its way to a backend. Before any byte is read
 * the declared size is checked against the limit; then, when something must
 * look at the bytes (Content-MD5, an additional checksum, a length to count,
 * or a check the authenticator attached), the body goes through those checks
 * and a hold-back stream, so a backend never sees a complete body that fails
 * them. When nothing needs to look, the runtime's own stream is passed on
 * untouched, so a backend can move it natively (on Node, `pipe()`).
 */
import { type Body, RuntimeBody, bytesBody, toWebStream } from '../body.ts';
import { type ChecksumRequest, verifyChecksum } from '../checksums/checksums.ts';
import { S3Error } from '../errors/s3-error.ts';
import { verifyContentMd5 } from './content-md5.ts';
import { holdBackLast } from './hold-back.ts';
import { checkUploadLength, entityTooLarge, incompleteBody } from './length-check.ts';

export interface UploadBodyRequest {
  /** As the authenticator left it: untouched, or wrapped in the checks the signature calls for. */
  body: Body | undefined;
  /** The object's length as the request declares it (decoded length for aws-chunked). */
  declaredLength?: number;
  maxObjectSize: number;
  contentMd5?: string;
  checksum?: ChecksumRequest;
}

export interface UploadBody {
  body: Body;
  /** Why the body failed, as the client should hear it; undefined if it did not. */
  failure(): unknown;
  /** The `x-amz-checksum-*` response header, once the body has ended well. */
  checksumHeader(): [string, string] | undefined;
  /** The additional checksum's algorithm (lower case), when the upload declares one. */
  checksumAlgorithm?: string;
}

export async function prepareUploadBody(request: UploadBodyRequest): Promise<UploadBody> {
  const { declaredLength, maxObjectSize } = request;
  // The body is left unread, not disposed: disposing a runtime's request stream would cut the
  // connection before the answer is written; the runtime deals with what remains.
  if (declaredLength !== undefined && declaredLength > maxObjectSize) throw entityTooLarge(maxObjectSize);
  let body = request.body;
  if (!body) {
    if (declaredLength !== undefined && declaredLength > 0) throw incompleteBody();
    body = bytesBody('');
  }
  // Nothing to check: the runtime frames the body by its Content-Length (a short body fails the stream).
  if (body instanceof RuntimeBody && declaredLength !== undefined && request.contentMd5 === undefined && !request.checksum) {
    return { body, failure: () => undefined, checksumHeader: () => undefined };
  }

  let stream = toWebStream(body);
  if (request.contentMd5 !== undefined) stream = verifyContentMd5(stream, request.contentMd5);
  const checksum = request.checksum && verifyChecksum(stream, request.checksum);
  if (checksum) stream = checksum.stream;
  const held = holdBackLast(stream.pipeThrough(checkUploadLength(declaredLength, maxObjectSize)));
  const failure = () => {
    const failed = held.failure();
    if (failed === undefined) return undefined;
    // A body that broke for any other reason (the client went away mid-upload) is incomplete.
    return failed instanceof S3Error ? failed : incompleteBody();
  };
  try {
    await held.prime();
  } catch (error) {
    throw failure() ?? error;
  }
  return {
    body: held.stream,
    failure,
    ...(request.checksum && { checksumAlgorithm: request.checksum.algorithm }),
    checksumHeader() {
      const computed = checksum?.computed();
      return checksum && computed !== undefined ? [checksum.header, computed] : undefined;
    },
  };
}
