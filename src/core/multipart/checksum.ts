/**
 * Additional checksums of multipart uploads, by S3's rules. An upload names
 * its algorithm and type at creation (`x-amz-checksum-algorithm`,
 * `x-amz-checksum-type`); every part is checksummed with that algorithm; the
 * completion names each part's checksum, which must match the stored one;
 * and the object's checksum is either COMPOSITE — the algorithm over the
 * parts' binary checksums, with `-<count>` — or FULL_OBJECT — the CRC of the
 * whole object, combined from the parts' CRCs. CRC64NVME is full-object
 * only; SHA1 and SHA256 composite only; CRC32 and CRC32C either (composite
 * by default).
 */
import { fromBase64, toBase64 } from '../base64.ts';
import type { ObjectChecksum } from '../backend.ts';
import { InvalidPartError } from '../backend-errors.ts';
import type { CompletedPart } from '../backend-capabilities.ts';
import { createChecksum } from '../checksums/checksums.ts';
import { combineCrc } from '../checksums/crc-combine.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';

export type MultipartChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** An upload's checksum: the algorithm (upper case, S3's name) and type. */
export interface MultipartChecksum {
  algorithm: string;
  type: MultipartChecksumType;
}

const TYPES: Record<string, readonly MultipartChecksumType[]> = {
  CRC32: ['COMPOSITE', 'FULL_OBJECT'],
  CRC32C: ['COMPOSITE', 'FULL_OBJECT'],
  CRC64NVME: ['FULL_OBJECT'],
  SHA1: ['COMPOSITE'],
  SHA256: ['COMPOSITE'],
};

/** The upload's checksum from CreateMultipartUpload's headers; 400 InvalidRequest for what S3 refuses. */
export function multipartChecksumFromHeaders(headers: HeaderMap): MultipartChecksum | undefined {
  const algorithmHeader = headers['x-amz-checksum-algorithm'];
  const typeHeader = headers['x-amz-checksum-type'];
  let type: MultipartChecksumType | undefined;
  if (typeHeader !== undefined) {
    const name = typeHeader.trim().toUpperCase();
    if (name !== 'COMPOSITE' && name !== 'FULL_OBJECT') throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
    type = name;
  }
  if (algorithmHeader === undefined) {
    if (type !== undefined) throw new S3Error('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return undefined;
  }
  const algorithm = algorithmHeader.trim().toUpperCase();
  const allowed = TYPES[algorithm];
  if (!allowed) throw new S3Error('InvalidRequest', `Value for x-amz-checksum-algorithm header is invalid: ${algorithmHeader}`);
  type ??= allowed[0]!;
  if (!allowed.includes(type)) {
    throw new S3Error('InvalidRequest', `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm, type };
}

/** A stored part as the object's checksum needs it. */
export interface ChecksummedPart {
  partNumber: number;
  etag: string;
  size: number;
  /** Base64 checksum of the part's bytes with the upload's algorithm. */
  checksum?: string;
}

/**
 * The completed object's checksum from its chosen parts (in order), after
 * checking the completion's part checksums against the stored ones
 * (InvalidPart on a mismatch; for a composite checksum each part must name
 * one) and, when given, the whole object's expected value (BadDigest).
 */
export function completedChecksum(
  upload: MultipartChecksum,
  requested: readonly CompletedPart[],
  chosen: readonly ChecksummedPart[],
  expected?: string,
): ObjectChecksum {
  const name = upload.algorithm.toLowerCase();
  chosen.forEach((part, i) => {
    const given = requested[i]?.checksum;
    if (given === undefined && upload.type === 'COMPOSITE') {
      throw new S3Error('InvalidRequest', `The upload was created using a ${name} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`);
    }
    if (part.checksum === undefined || (given !== undefined && given.trim() !== part.checksum)) {
      throw new InvalidPartError(part.partNumber, requested[i]?.etag ?? part.etag);
    }
  });
  let value: string;
  if (upload.type === 'COMPOSITE') {
    const hash = createChecksum(name);
    for (const part of chosen) hash.update(fromBase64(part.checksum!));
    value = `${toBase64(hash.digest())}-${chosen.length}`;
  } else {
    let whole = fromBase64(chosen[0]!.checksum!);
    for (const part of chosen.slice(1)) whole = combineCrc(upload.algorithm, whole, fromBase64(part.checksum!), part.size);
    value = toBase64(whole);
  }
  if (expected !== undefined && expected.trim() !== value) {
    throw new S3Error('BadDigest', `The ${upload.algorithm} you specified did not match the calculated checksum.`);
  }
  return { algorithm: upload.algorithm, type: upload.type, value };
}
