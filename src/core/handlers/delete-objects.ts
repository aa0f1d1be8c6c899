/**
 * DeleteObjects (`POST /bucket?delete`): up to 1000 keys in one request.
 *
 * The body's integrity is required as S3 requires it (Content-MD5 or an
 * additional checksum) and checked before anything is deleted; a document
 * that is malformed or lists more than 1000 keys deletes nothing. Each key
 * is authorized on its own: a denied key is reported as an `AccessDenied`
 * entry and never reaches the backend.
 */
import type { KeyAuthorizer } from '../authorize.ts';
import { type Body, bytesBody, readAll } from '../body.ts';
import { requestedChecksum, verifyChecksum } from '../checksums/checksums.ts';
import { S3Error } from '../errors/s3-error.ts';
import { toS3Error } from '../errors/to-s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import { validateKey } from '../s3/keys.ts';
import { type XmlNode, xmlDocument } from '../s3/xml.ts';
import { childElement, elementText, malformedXml, parseXmlDocument } from '../s3/xml-read.ts';
import { verifyContentMd5 } from '../upload/content-md5.ts';
import { type RequestContext, xmlResponse } from './context.ts';

const MAX_KEYS = 1000;
/** 1000 keys of 1024 bytes, escaped, with their markup: far below this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Deletes in flight at once for one request. */
const PARALLEL = 16;

interface Entry {
  key: string;
  versionId?: string;
}

type Outcome = { key: string; deleted: true } | { key: string; code: string; message: string };

export async function deleteObjects(ctx: RequestContext, keys: KeyAuthorizer): Promise<GatewayResponse> {
  const { entries, quiet } = parseDeleteDocument(await readVerifiedBody(ctx));
  const outcomes = new Array<Outcome>(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      outcomes[index] = await deleteOne(keys, entries[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
  const children: XmlNode[] = [];
  for (const outcome of outcomes) {
    if ('deleted' in outcome) {
      if (!quiet) children.push(['Deleted', [['Key', outcome.key]]]);
    } else {
      children.push(['Error', [['Key', outcome.key], ['Code', outcome.code], ['Message', outcome.message]]]);
    }
  }
  return xmlResponse(xmlDocument('DeleteResult', children));
}

async function deleteOne(keys: KeyAuthorizer, entry: Entry): Promise<Outcome> {
  const { key } = entry;
  if (validateKey(key) !== null) return { key, code: 'InvalidArgument', message: 'Invalid object key.' };
  if (entry.versionId !== undefined && entry.versionId !== 'null') {
    return { key, code: 'NoSuchVersion', message: 'The specified version does not exist.' };
  }
  const object = await keys.authorize(key);
  if (!object) return { key, code: 'AccessDenied', message: 'Access Denied' };
  try {
    await object.backend.delete(object.key);
    return { key, deleted: true };
  } catch (error) {
    const s3Error = toS3Error(error);
    // Backend failures other than typed ones stay opaque, as for any request.
    return s3Error && s3Error.status < 500
      ? { key, code: s3Error.code, message: s3Error.message }
      : { key, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
  }
}

/** The request body, checked against the digest S3 requires for this operation before anything is read from it. */
async function readVerifiedBody(ctx: RequestContext): Promise<string> {
  const headers = ctx.req.headers;
  let body: Body = ctx.req.body ?? bytesBody('');
  const checksum = requestedChecksum(headers, ctx.trailers ?? (() => undefined));
  if (headers['content-md5'] === undefined && !checksum) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  if (headers['content-md5'] !== undefined) body = verifyContentMd5(body, headers['content-md5']);
  if (checksum) body = verifyChecksum(body, checksum).stream;
  let bytes: Uint8Array;
  try {
    bytes = await readAll(body, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof RangeError) throw malformedXml();
    throw error;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

function parseDeleteDocument(text: string): { entries: Entry[]; quiet: boolean } {
  const root = childElement(parseXmlDocument(text, ['Delete.Object']), 'Delete');
  if (root === undefined) throw malformedXml();
  const objects = childElement(root, 'Object');
  if (!Array.isArray(objects) || objects.length === 0 || objects.length > MAX_KEYS) throw malformedXml();
  const entries = objects.map((object): Entry => {
    const key = elementText(childElement(object, 'Key'));
    if (key === undefined) throw malformedXml();
    const versionId = elementText(childElement(object, 'VersionId'));
    return versionId === undefined ? { key } : { key, versionId };
  });
  const quiet = elementText(childElement(root, 'Quiet'));
  if (quiet !== undefined && quiet !== 'true' && quiet !== 'false') throw malformedXml();
  return { entries, quiet: quiet === 'true' };
}
