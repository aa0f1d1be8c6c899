/**
 * Rendering an `S3Error` as S3 does: an `<Error>` document (no namespace)
 * with Code, Message, any extra details, Resource and RequestId. HEAD
 * requests and 304s carry no body.
 */
import { bytesBody } from '../body.ts';
import type { GatewayResponse, HeaderMap } from '../http.ts';
import { escapeXml } from '../s3/xml.ts';
import type { S3Error } from './s3-error.ts';

export function renderS3Error(error: S3Error, context: { resource: string; requestId: string; method: string }): GatewayResponse {
  const headers: HeaderMap = { ...error.headers };
  if (context.method === 'HEAD' || error.status === 304) return { status: error.status, headers };
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>`;
  for (const [name, value] of Object.entries(error.details)) xml += `<${name}>${escapeXml(value)}</${name}>`;
  xml += `<Resource>${escapeXml(context.resource)}</Resource><RequestId>${context.requestId}</RequestId></Error>`;
  const bytes = new TextEncoder().encode(xml);
  headers['content-type'] = 'application/xml';
  headers['content-length'] = String(bytes.byteLength);
  return { status: error.status, headers, body: bytesBody(bytes) };
}
