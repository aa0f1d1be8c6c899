/**
 * Pieces of a storage backend's HTTP transport that are the same for every
 * service spoken over the injected `HttpClient` (S3, Google Cloud Storage,
 * Azure Blob): which answers a retry can fix, how a request body is framed,
 * how a credential failure surfaces, the bounded wait for an answer, the
 * retry loop of the JSON and Blob APIs, and draining a small answer so its
 * connection can be reused. Each backend's transport keeps its own error
 * documents and authorization.
 */
import { BackendError, BackendUnavailableError } from '../core/backend-errors.ts';
import { bytesBody, discardBody, readAll, type Body } from '../core/body.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from '../core/http.ts';
import { backoffDelay, sleepUnlessAborted } from './s3/retry.ts';

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

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** A service's final answer other than success, with its status. */
export type ResponseFailure = Error & { status: number };

export interface RetriedCall<F extends ResponseFailure> {
  operation: string;
  /** Only idempotent calls whose body can be sent again (bytes, or none) are retried. */
  idempotent: boolean;
  body?: Uint8Array | Body | undefined;
  signal?: AbortSignal | undefined;
  /** One attempt: the request sent and its answer, body unread. */
  sendOnce(): Promise<OutboundResponse>;
  /** The answer to return, or the failure it is (its body read). */
  judge(response: OutboundResponse): Promise<OutboundResponse | F>;
  /** True to send once more at once, not counted as an attempt (a fresh token after a 401). */
  againAtOnce?(failure: F): boolean;
  /** A failure's details for the outage's cause. */
  describe(failure: F): Record<string, unknown>;
}

/**
 * Send a call, retrying with jittered backoff what a retry can fix: a
 * transport failure or a retryable status. Typed backend failures (refused
 * or unavailable credentials) and other statuses are final; when the
 * attempts run out the backend is unavailable.
 */
export async function sendWithRetries<F extends ResponseFailure>(policy: RetryPolicy, call: RetriedCall<F>): Promise<OutboundResponse> {
  const replayable = call.body === undefined || call.body instanceof Uint8Array;
  const attempts = call.idempotent && replayable ? policy.attempts : 1;
  let lastFailure: { answered: F } | { thrown: unknown } = { thrown: undefined };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await sleepUnlessAborted(policy.sleep, backoffDelay(attempt - 1, policy.baseDelayMs, policy.maxDelayMs, policy.random), call.signal);
    }
    let response: OutboundResponse;
    try {
      response = await call.sendOnce();
    } catch (err) {
      if (call.signal?.aborted) throw call.signal.reason;
      // Typed failures (credentials refused or unavailable) are final: retrying cannot change them.
      if (err instanceof BackendError) throw err;
      lastFailure = { thrown: err };
      continue;
    }
    const judged = await call.judge(response);
    if (!(judged instanceof Error)) return judged;
    if (replayable && call.againAtOnce?.(judged)) {
      attempt--;
      continue;
    }
    if (!isRetryableStatus(judged.status)) throw judged;
    lastFailure = { answered: judged };
  }
  const cause = 'answered' in lastFailure
    ? { operation: call.operation, attempts, ...call.describe(lastFailure.answered) }
    : { operation: call.operation, attempts, error: describeThrown(lastFailure.thrown) };
  throw new BackendUnavailableError('storage backend unavailable', cause);
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
