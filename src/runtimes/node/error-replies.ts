/**
 * The few answers the Node runtime gives by itself, outside the gateway:
 * when a response cannot be sent as the core built it, and when the server
 * is at its connection limit. Same `<Error>` document as the core's, built
 * synchronously because they are written straight to a socket.
 */
import { escapeXml } from '../../core/s3/xml.ts';

export interface ErrorReply {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

function reply(status: number, reason: string, code: string, message: string, requestId?: string): ErrorReply {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
    (requestId === undefined ? '' : `<RequestId>${escapeXml(requestId)}</RequestId>`) +
    '</Error>';
  return {
    status,
    reason,
    headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), connection: 'close' },
    body,
  };
}

/** An opaque 500: the detail goes to the log only. */
export function internalErrorReply(requestId?: string): ErrorReply {
  return reply(500, 'Internal Server Error', 'InternalError', 'We encountered an internal error. Please try again.', requestId);
}

/** What S3 answers when it sheds load; SDKs back off and retry it. */
export function slowDownReply(): ErrorReply {
  return reply(503, 'Service Unavailable', 'SlowDown', 'Please reduce your request rate.');
}

/** The reply as raw HTTP/1.1 bytes, for sockets that never reach `node:http`'s response object. */
export function rawHttpReply(r: ErrorReply): string {
  let head = `HTTP/1.1 ${r.status} ${r.reason}\r\n`;
  for (const [name, value] of Object.entries(r.headers)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${r.body}`;
}
