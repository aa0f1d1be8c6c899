/**
 * Request and response bodies as the core sees them.
 *
 * The core only ever deals in byte streams. A body that came from the runtime
 * (the client's upload, a backend's response, a file stream) may be wrapped in
 * a `RuntimeBody` so that the runtime can take it back untouched and move the
 * bytes with its own machinery (e.g. Node's `pipe()`), instead of paying for a
 * round trip through Web streams on the hot path.
 */

export type WebByteStream = ReadableStream<Uint8Array>;

/** A body owned by the runtime; `toWeb()` gives a Web stream view for code that needs one. */
export class RuntimeBody {
  constructor(
    /** The runtime's native stream (e.g. a Node `Readable`). Opaque to the core. */
    readonly native: unknown,
    private readonly convert: () => WebByteStream,
    /** Release the underlying resource without reading it (e.g. close a file or socket). */
    readonly dispose: () => void = () => {},
  ) {}

  private web: WebByteStream | undefined;

  toWeb(): WebByteStream {
    this.web ??= this.convert();
    return this.web;
  }
}

export type Body = WebByteStream | RuntimeBody;

/** A Web stream view of any body. */
export function toWebStream(body: Body): WebByteStream {
  return body instanceof RuntimeBody ? body.toWeb() : body;
}

/** Discard a body nobody is going to read, releasing what holds it open. */
export function discardBody(body: Body | undefined): void {
  if (!body) return;
  if (body instanceof RuntimeBody) {
    body.dispose();
    return;
  }
  body.cancel().catch(() => {});
}

const encoder = new TextEncoder();

/** A body made from a string or bytes already in memory (XML documents, small test payloads). */
export function bytesBody(content: string | Uint8Array): WebByteStream {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Read a whole body into memory. For small, bounded bodies only (XML requests, tests). */
export async function readAll(body: Body, limit = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
  const reader = toWebStream(body).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new RangeError(`body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
