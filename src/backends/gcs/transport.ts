/**
 * One JSON API request, end to end: the bearer token, the injected
 * `HttpClient`, a bound on the wait for the answer, retries of what may be
 * retried (and one retry with a fresh token after a 401), and Google's JSON
 * error document read into a typed failure.
 */
import { BackendError } from '../../core/backend-errors.ts';
import { discardBody, readAll, type Body } from '../../core/body.ts';
import type { HeaderMap, HttpClient, OutboundResponse } from '../../core/http.ts';
import { credentialsFailure, frameBody, requestWithin, sendWithRetries } from '../http-transport.ts';
import type { GcsTokenProvider } from './auth.ts';

const ERROR_BODY_LIMIT = 64 * 1024;
const JSON_BODY_LIMIT = 32 * 1024 * 1024;

export interface GcsCall {
  /** JSON API method name (`objects.get`, …), for error causes and logs. */
  operation: string;
  method: string;
  url: string;
  headers?: HeaderMap;
  /** Bytes can be sent again on a retry; a stream is sent once. */
  body?: Uint8Array | Body;
  idempotent: boolean;
  signal?: AbortSignal;
  /** Statuses other than 2xx returned as answers instead of failures (308 of a resumable upload). */
  accept?: readonly number[];
}

export interface GcsTransportOptions {
  http: HttpClient;
  tokens: GcsTokenProvider | undefined;
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  responseTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** A final answer other than 2xx, with Google's reason (`errors[0].reason`) and message. */
export class GcsResponseError extends Error {
  override name = 'GcsResponseError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly reason: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(`${operation}: ${status}${reason ? ` ${reason}` : ''}`);
  }
}

async function readError(call: GcsCall, res: OutboundResponse): Promise<GcsResponseError> {
  let reason: string | undefined;
  let message: string | undefined;
  try {
    const text = new TextDecoder().decode(await readAll(res.body, ERROR_BODY_LIMIT));
    const doc = JSON.parse(text) as { error?: { message?: unknown; errors?: { reason?: unknown }[] } };
    if (typeof doc.error?.message === 'string') message = doc.error.message;
    const first = doc.error?.errors?.[0]?.reason;
    if (typeof first === 'string') reason = first;
  } catch {
    discardBody(res.body);
  }
  return new GcsResponseError(call.operation, res.status, reason, message);
}

export class GcsTransport {
  constructor(private readonly opts: GcsTransportOptions) {}

  /** Send `call`; 2xx answers (and those in `accept`) are returned with the body unread, others throw. */
  send(call: GcsCall): Promise<OutboundResponse> {
    let refreshedToken = false;
    return sendWithRetries<GcsResponseError>(this.opts, {
      ...call,
      sendOnce: () => this.sendOnce(call),
      judge: async (response) => (response.status < 300 || call.accept?.includes(response.status) ? response : readError(call, response)),
      againAtOnce: (failure) => {
        if (failure.status !== 401 || !this.opts.tokens || refreshedToken) return false;
        // A token the service no longer takes (revoked, clock skew): fetch a fresh one, once.
        this.opts.tokens.invalidate?.();
        return (refreshedToken = true);
      },
      describe: (failure) => ({ status: failure.status, reason: failure.reason, message: failure.detail }),
    });
  }

  /** Send and parse a JSON answer. */
  async json<T>(call: GcsCall): Promise<T> {
    const res = await this.send(call);
    const text = new TextDecoder().decode(await readAll(res.body, JSON_BODY_LIMIT));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new BackendError('storage backend answered with an unreadable document', { cause: { operation: call.operation, status: res.status } });
    }
  }

  private async sendOnce(call: GcsCall): Promise<OutboundResponse> {
    const headers: HeaderMap = { ...call.headers };
    const body = frameBody(call.method, call.body, headers, true);
    if (this.opts.tokens) {
      try {
        headers.authorization = `Bearer ${await this.opts.tokens.token({ signal: call.signal })}`;
      } catch (err) {
        discardBody(body);
        throw credentialsFailure(call.operation, err);
      }
    }
    return requestWithin(this.opts.http, { method: call.method, url: call.url, headers, body }, call.signal, this.opts.responseTimeoutMs);
  }
}

export { consumeBody } from '../http-transport.ts';
