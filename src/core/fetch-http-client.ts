/**
 * An `HttpClient` over the Fetch API, for Workers and in-process tests.
 *
 * Request bodies are streamed (`duplex: 'half'`), response bodies are handed
 * back as the fetch stream, unread. The Node runtime has its own client over
 * `node:http` because fetch costs too much on its hot path.
 */
import { toWebStream } from './body.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from './http.ts';

type FetchLike = (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

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

export function createFetchHttpClient(fetchImpl: FetchLike = fetch as FetchLike): HttpClient {
  return {
    async request(req: OutboundRequest): Promise<OutboundResponse> {
      req.signal?.throwIfAborted();
      const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
      const init: RequestInit & { duplex?: 'half' } = {
        method: req.method,
        headers: req.headers,
        signal: req.signal,
        redirect: 'manual',
      };
      if (hasBody) {
        init.body = toWebStream(req.body!);
        init.duplex = 'half';
      }
      const res = await fetchImpl(req.url, init);
      return { status: res.status, headers: headersToMap(res.headers), body: res.body ?? emptyStream() };
    },
  };
}
