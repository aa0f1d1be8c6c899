/**
 * Outbound `fetch` on Workers with the declared length kept. workerd sends
 * a request body that is a `ReadableStream` chunked and drops its
 * `Content-Length` header, unless the stream is a `FixedLengthStream` of
 * that length. S3 needs the length (and it is a signed header), so a body
 * sent with a Content-Length is piped through a `FixedLengthStream` of it;
 * workerd also fails the request if the body's bytes differ from it.
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
