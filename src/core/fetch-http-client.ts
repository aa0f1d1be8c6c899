/**
 * An `HttpClient` over the Fetch API, for Workers and in-process tests.
 *
 * Request bodies are streamed (`duplex: 'half'`), response bodies are handed
 * back as the fetch stream, unread. The Node runtime has its own client over
 * `node:http` because fetch costs too much on its hot path.
 *
 * Fetch cannot see the socket, so the request's limits are kept at the
 * stream level: a body is counted against its `Content-Length` (failing
 * before surplus bytes are handed to fetch); the response timeout runs from
 * the moment fetch has read the whole body (connect included, which fetch
 * does not expose); the idle timeout between body chunks, both directions.
 */
import { toWebStream } from './body.ts';
import { ContentLengthMismatchError, HttpTimeoutError, ResponseBodyStartError, declaredContentLength } from './http-errors.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from './http.ts';

type FetchLike = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

export interface FetchHttpClientOptions {
  /** Where a request does not say: the wait for the answer once the body is sent. Default 60 s. */
  responseTimeoutMs?: number;
  /** Where a request does not say: the longest gap between body chunks. Default 60 s. */
  idleTimeoutMs?: number;
}

/** A body for responses without one (HEAD, 204, 304), so callers never see `null`. */
function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
}

function headersToMap(headers: Headers): HeaderMap {
  const out: HeaderMap = {};
  // Fetch already lower-cases names and joins repeats with ", ".
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** One timer that can be re-armed (idle) or cleared; firing aborts the exchange with a timeout error. */
function timer(abort: (err: Error) => void) {
  let handle: ReturnType<typeof setTimeout> | undefined;
  return {
    arm(phase: 'response' | 'idle', ms: number) {
      clearTimeout(handle);
      handle = setTimeout(() => abort(new HttpTimeoutError(phase, ms)), ms);
      // A body nobody reads any more must not keep a Node process alive (Workers have no unref).
      (handle as { unref?: () => void }).unref?.();
    },
    clear() {
      clearTimeout(handle);
    },
  };
}

export function createFetchHttpClient(fetchImpl: FetchLike = fetch as FetchLike, options: FetchHttpClientOptions = {}): HttpClient {
  return {
    async request(req: OutboundRequest): Promise<OutboundResponse> {
      req.signal?.throwIfAborted();
      const responseMs = req.timeouts?.responseMs ?? options.responseTimeoutMs ?? 60_000;
      const idleMs = req.timeouts?.idleMs ?? options.idleTimeoutMs ?? 60_000;
      const controller = new AbortController();
      let failure: Error | undefined;
      const abort = (err: Error) => {
        failure ??= err;
        controller.abort(err);
      };
      const onAbort = () => abort(req.signal!.reason instanceof Error ? req.signal!.reason : new Error('aborted'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const wait = timer(abort);

      const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
      const init: RequestInit & { duplex?: 'half' } = {
        method: req.method,
        headers: req.headers,
        signal: controller.signal,
        redirect: 'manual',
      };
      if (hasBody) {
        init.body = guardedBody(toWebStream(req.body!), declaredContentLength(req.headers), {
          progress: () => wait.arm('idle', idleMs),
          sent: () => wait.arm('response', responseMs),
          failed: abort,
        });
        init.duplex = 'half';
        wait.arm('idle', idleMs);
      } else {
        wait.arm('response', responseMs);
      }
      let res: Response;
      try {
        res = await fetchImpl(req.url, init);
      } catch (err) {
        wait.clear();
        req.signal?.removeEventListener('abort', onAbort);
        throw failure ?? err;
      }
      let body = res.body ?? emptyStream();
      const headers = headersToMap(res.headers);
      const wanted = typeof req.awaitFirstByte === 'function' ? req.awaitFirstByte(res.status, headers) : req.awaitFirstByte;
      if (wanted && res.body) {
        try {
          body = await withFirstChunk(body);
        } catch (err) {
          wait.clear();
          throw failure ?? new ResponseBodyStartError(err);
        }
      }
      wait.clear();
      return { status: res.status, headers, body: idleGuarded(body, idleMs, abort, () => req.signal?.removeEventListener('abort', onAbort)) };
    },
  };
}

/** The request body counted against its declared length, reporting progress and its end. */
function guardedBody(
  source: ReadableStream<Uint8Array>,
  declared: number | undefined,
  on: { progress(): void; sent(): void; failed(err: Error): void },
): ReadableStream<Uint8Array> {
  let sent = 0;
  // Fetch reports a failed body as its own TypeError; the exchange remembers the real reason.
  const fail = (err: Error) => {
    on.failed(err);
    return err;
  };
  // The chunk that completes the declared length waits for a clean end: a body
  // that fails after its last byte must not reach the server as a complete request.
  let last: Uint8Array | undefined;
  return source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (chunk.byteLength === 0) return;
      sent += chunk.byteLength;
      if (declared !== undefined && sent > declared) throw fail(new ContentLengthMismatchError(declared, sent, false));
      on.progress();
      if (declared !== undefined && sent === declared) last = chunk;
      else controller.enqueue(chunk);
    },
    flush(controller) {
      if (declared !== undefined && sent !== declared) throw fail(new ContentLengthMismatchError(declared, sent, true));
      if (last) controller.enqueue(last);
      on.sent();
    },
  }));
}

/** Wait for the first chunk (or the end), then hand back a stream that still starts with it. */
async function withFirstChunk(body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  const first = await reader.read();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The response body, failing if no chunk arrives within `idleMs` of the previous one. */
function idleGuarded(body: ReadableStream<Uint8Array>, idleMs: number, abort: (err: Error) => void, done: () => void): ReadableStream<Uint8Array> {
  const wait = timer(abort);
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    start() {
      wait.arm('idle', idleMs);
    },
    transform(chunk, controller) {
      wait.arm('idle', idleMs);
      controller.enqueue(chunk);
    },
    flush() {
      wait.clear();
      done();
    },
  }));
}
