/**
 * Pieces of a storage backend's HTTP transport that are the same for every
 * service spoken over the injected `HttpClient` (S3, Google Cloud Storage,
 * Azure Blob): which answers a retry can fix, how a request body is framed,
 * how a credential failure surfaces, the bounded wait for an answer, and
 * draining a small answer so its connection can be reused. Each backend's
 * transport keeps its own error documents, authorization and retry loop.
 */
import { BackendError, BackendUnavailableError } from '../core/backend-errors.ts';
import { bytesBody, discardBody, readAll, type Body } from '../core/body.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from '../core/http.ts';

/** Server-side failures, request timeouts and throttling; other 4xx answers are final. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A thrown value as text for an error cause (never its stack). */
export function describeThrown(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * The body to send, with its `content-length` set in `headers`: bytes in
 * memory are framed (and can be sent again on a retry), a stream is sent as
 * is. With `emptyWrites`, a PUT or POST without a body says length 0, as
 * services that refuse a write without a length want.
 */
export function frameBody(method: string, body: Uint8Array | Body | undefined, headers: HeaderMap, emptyWrites: boolean): Body | undefined {
  if (body instanceof Uint8Array) {
    headers['content-length'] = String(body.byteLength);
    return bytesBody(body);
  }
  if (body === undefined && emptyWrites && (method === 'PUT' || method === 'POST')) headers['content-length'] = '0';
  return body;
}

/**
 * What to throw when a request's credentials could not be had: a typed
 * failure (refused identity, unreachable token service) keeps its meaning;
 * anything else is an outage of the backend's credentials.
 */
export function credentialsFailure(operation: string, err: unknown): Error {
  if (err instanceof BackendError) return err;
  return new BackendUnavailableError('storage backend credentials unavailable', { operation, error: describeThrown(err) });
}

/**
 * Send one request, giving up when no answer has come within `timeoutMs` or
 * the caller's signal aborts. The answer's body is returned unread.
 */
export async function requestWithin(http: HttpClient, request: Omit<OutboundRequest, 'signal'>, signal: AbortSignal | undefined, timeoutMs: number): Promise<OutboundResponse> {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) throw signal.reason;
  signal?.addEventListener('abort', forwardAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
  try {
    return await http.request({ ...request, signal: controller.signal });
  } catch (err) {
    signal?.removeEventListener('abort', forwardAbort);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Read and drop a small answer's body (HEAD, PUT, DELETE, 304). Reading it to
 * the end, rather than discarding it, lets a keep-alive connection be reused.
 */
export async function consumeBody(body: Body): Promise<void> {
  try {
    await readAll(body, 1024 * 1024);
  } catch {
    discardBody(body);
  }
}
