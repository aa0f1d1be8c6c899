/**
 * `toFetchHandler(gateway)`: the gateway as a `(Request) => Response`
 * function, for Cloudflare Workers and in-process tests. (Node binds
 * `node:http` directly instead; see `runtimes/node/bridge.ts`.)
 */
import { toWebStream } from './body.ts';
import type { Gateway } from './gateway.ts';
import { headerValueText } from './header-values.ts';
import type { HeaderMap } from './http.ts';

export type FetchHandler = (request: Request, client?: { ip?: string }) => Promise<Response>;

export function toFetchHandler(gateway: Gateway): FetchHandler {
  return async (request, client = {}) => {
    const url = request.url;
    // Keep the path and query exactly as sent: URL parsing would re-encode them.
    const afterScheme = url.indexOf('://');
    const pathStart = url.indexOf('/', afterScheme + 3);
    const target = pathStart === -1 ? '/' : url.slice(pathStart);
    const hash = target.indexOf('#');
    const pathAndQuery = hash === -1 ? target : target.slice(0, hash);
    const q = pathAndQuery.indexOf('?');
    const headers: HeaderMap = {};
    request.headers.forEach((value, name) => {
      headers[name] = headerValueText(value);
    });
    if (headers.host === undefined) headers.host = new URL(url).host;
    const response = await gateway.handle({
      method: request.method,
      rawPath: q === -1 ? pathAndQuery : pathAndQuery.slice(0, q),
      rawQuery: q === -1 ? '' : pathAndQuery.slice(q + 1),
      headers,
      body: request.body ?? undefined,
      client,
      signal: request.signal,
    });
    const nullBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
    let body = response.body && !nullBody ? toWebStream(response.body) : null;
    if (body && response.done) {
      const done = response.done;
      let bytes = 0;
      body = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush() {
          done({ bytes, aborted: false });
        },
      }));
    } else {
      response.done?.({ bytes: 0, aborted: false });
    }
    return new Response(body, { status: response.status, headers: response.headers });
  };
}
