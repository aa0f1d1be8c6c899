/**
 * Declared lengths kept on Workers. workerd sends a body that is a plain
 * `ReadableStream` chunked and drops its `Content-Length` header, unless the
 * stream is a `FixedLengthStream` of that length. Outbound, S3 needs the
 * length (and it is a signed header); toward the client, a response must keep
 * the `Content-Length` S3 answers with (clients check it, and tools size
 * downloads by it). A body sent with a Content-Length is therefore piped
 * through a `FixedLengthStream` of it; workerd also fails the exchange if the
 * body's bytes differ from it.
 */

/** workerd's identity stream that declares its length; absent elsewhere. */
interface FixedLengthStreamConstructor {
  new (expectedLength: number | bigint): TransformStream<Uint8Array, Uint8Array>;
}

type FetchInit = RequestInit & { duplex?: 'half' };
export type FetchFunction = (input: string, init: FetchInit) => Promise<Response>;

function contentLengthOf(headers: RequestInit['headers']): number | undefined {
  if (!headers || headers instanceof Headers || Array.isArray(headers)) {
    const value = new Headers(headers ?? undefined).get('content-length');
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  }
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length');
  return entry && /^\d+$/.test(entry[1]) ? Number(entry[1]) : undefined;
}

export function fixedLengthFetch(
  fetchImpl: FetchFunction = (input, init) => fetch(input, init),
  FixedLength: FixedLengthStreamConstructor | undefined = (globalThis as { FixedLengthStream?: FixedLengthStreamConstructor }).FixedLengthStream,
): FetchFunction {
  return (input, init) => {
    const length = contentLengthOf(init.headers);
    if (!FixedLength || !(init.body instanceof ReadableStream) || length === undefined) return fetchImpl(input, init);
    return fetchImpl(input, { ...init, body: init.body.pipeThrough(new FixedLength(length)) });
  };
}

/** A response whose streamed body keeps its declared `Content-Length` on the wire. */
export function fixedLengthResponse(
  response: Response,
  FixedLength: FixedLengthStreamConstructor | undefined = (globalThis as { FixedLengthStream?: FixedLengthStreamConstructor }).FixedLengthStream,
): Response {
  const declared = response.headers.get('content-length');
  if (!FixedLength || !response.body || declared === null || !/^\d+$/.test(declared)) return response;
  return new Response(response.body.pipeThrough(new FixedLength(Number(declared))), response);
}
