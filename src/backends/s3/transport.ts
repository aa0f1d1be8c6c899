/**
 * One S3 request, end to end: sign it (or not, for anonymous access), send it
 * through the injected `HttpClient` with the connection's timeouts, retry what
 * may be retried within the request's deadline, keep the circuit breaker
 * informed, and turn failures into errors the backend can map.
 */
import { BackendError, BackendUnavailableError } from '../../core/backend-errors.ts';
import { bytesBody, discardBody, readAll, type Body } from '../../core/body.ts';
import type { HeaderMap, OutboundRequest, OutboundResponse } from '../../core/http.ts';
import { credentialsFailure } from '../http-transport.ts';
import type { ResolvedS3Options, S3Credentials } from './options.ts';
import { backoffDelay, isRetryableAnswer, sleepUnlessAborted } from './retry.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { failureKind, isUnreachable } from './failure-kind.ts';
import { parseErrorDocument, type S3ErrorDocument } from './xml.ts';

/** SHA-256 of the empty payload, for requests without a body. */
const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ERROR_BODY_LIMIT = 64 * 1024;

/** Outbound SigV4 signing: returns the full header set to send. */
export type SignFunction = (
  req: { method: string; url: string; headers: Record<string, string> },
  creds: S3Credentials,
  opts: { region: string; service: string; now?: Date; payloadHash?: string },
) => Promise<Record<string, string>>;

export interface S3Call {
  /** S3 operation name, for error causes and logs. */
  operation: string;
  method: string;
  url: string;
  headers?: HeaderMap;
  /** Bytes can be sent again on a retry; a stream is sent once and never retried. */
  body?: Uint8Array | Body;
  /** Safe to repeat (GET, HEAD, LIST, DELETE, PUT of bytes in memory). */
  idempotent: boolean;
  /** Answer only once the first body byte is in, so a store lost before it can still be retried (GetObject). */
  awaitFirstByte?: OutboundRequest['awaitFirstByte'];
  signal?: AbortSignal;
}

/** A final answer other than 2xx or 304 (a 4xx, or a redirect), with S3's error fields. */
export class S3ResponseError extends Error {
  override name = 'S3ResponseError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly headers: HeaderMap,
    readonly detail: S3ErrorDocument,
  ) {
    super(`${operation}: ${status}${detail.code ? ` ${detail.code}` : ''}`);
  }
  get code(): string | undefined {
    return this.detail.code;
  }
}

async function readErrorDocument(body: Body): Promise<S3ErrorDocument> {
  try {
    return parseErrorDocument(new TextDecoder().decode(await readAll(body, ERROR_BODY_LIMIT)));
  } catch {
    discardBody(body);
    return {};
  }
}

/**
 * What goes into `cause` for the request's log line: operation, tries, and
 * either the store's answer (status, S3 code, message, request id) or the
 * transport failure and its kind. Never credentials or signed headers.
 */
function describeFailure(call: S3Call, attempts: number, failure: S3ResponseError | unknown): Record<string, unknown> {
  const base = { operation: call.operation, method: call.method, attempts };
  if (failure instanceof S3ResponseError) {
    const requestId = failure.detail.requestId ?? failure.headers['x-amz-request-id'];
    return { ...base, kind: 'status', status: failure.status, ...failure.detail, ...(requestId !== undefined && { requestId }) };
  }
  const code = (failure as { code?: unknown } | null)?.code;
  return {
    ...base,
    kind: failureKind(failure),
    error: failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure),
    ...(typeof code === 'string' && { code }),
  };
}

export class S3Transport {
  constructor(
    private readonly opts: ResolvedS3Options,
    private readonly sign: SignFunction,
    /** Shared by every view of one connection; absent when turned off. */
    private readonly breaker?: CircuitBreaker,
  ) {}

  /** Send `call`; 2xx and 304 answers are returned (body unread), others throw. */
  async send(call: S3Call): Promise<OutboundResponse> {
    const { opts } = this;
    const replayable = call.body === undefined || call.body instanceof Uint8Array;
    const attempts = call.idempotent && replayable ? opts.attempts : 1;
    const started = Date.now();
    let lastFailure: unknown;
    let tried = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let responseMs = opts.responseTimeoutMs;
      if (attempt > 1) {
        const delay = backoffDelay(attempt - 1, opts.baseDelayMs, opts.maxDelayMs, opts.random);
        const left = opts.deadlineMs - (Date.now() - started) - delay;
        if (left <= 0) break;
        await sleepUnlessAborted(opts.sleep, delay, call.signal);
        // A retry must not run past the request's deadline.
        responseMs = Math.max(1, Math.min(responseMs, left));
      }
      this.breaker?.admit(call.operation);
      tried = attempt;
      let response: OutboundResponse;
      try {
        response = await this.sendOnce(call, responseMs);
      } catch (err) {
        // The caller going away is not a backend failure.
        if (call.signal?.aborted) {
          this.breaker?.released();
          throw call.signal.reason;
        }
        // Credential providers retry on their own; their failure (typed, e.g. a refused federation) is final here.
        if (err instanceof BackendError) {
          this.breaker?.released();
          throw err;
        }
        if (isUnreachable(err)) this.breaker?.failed();
        else this.breaker?.released();
        lastFailure = err;
        continue;
      }
      this.breaker?.succeeded();
      // 304 answers a conditional read; other redirects (S3's 301 for a bucket in another region) are misconfiguration.
      if (response.status < 300 || response.status === 304) return response;
      const failure = new S3ResponseError(call.operation, response.status, response.headers, await readErrorDocument(response.body));
      if (!isRetryableAnswer(failure.status, failure.code)) throw failure;
      lastFailure = failure;
    }
    throw new BackendUnavailableError('storage backend unavailable', describeFailure(call, tried, lastFailure));
  }

  private async sendOnce(call: S3Call, responseMs: number): Promise<OutboundResponse> {
    const { opts } = this;
    const headers: HeaderMap = { ...call.headers };
    let body: Body | undefined;
    if (call.body instanceof Uint8Array) {
      headers['content-length'] = String(call.body.byteLength);
      body = bytesBody(call.body);
    } else {
      body = call.body;
    }
    const signed = await this.signHeaders(call, headers, body !== undefined);

    if (call.signal?.aborted) throw call.signal.reason;
    // The client enforces the connect, response and idle limits and ties the caller's signal to the body as well.
    return opts.http.request({
      method: call.method,
      url: call.url,
      headers: signed,
      body,
      signal: call.signal,
      timeouts: { connectMs: opts.connectTimeoutMs, responseMs, idleMs: opts.idleTimeoutMs },
      ...(call.awaitFirstByte !== undefined && { awaitFirstByte: call.awaitFirstByte }),
    });
  }

  private async signHeaders(call: S3Call, headers: HeaderMap, hasBody: boolean): Promise<HeaderMap> {
    const source = this.opts.credentials;
    if (!source) return headers;
    let creds: S3Credentials;
    try {
      creds = typeof source === 'function' ? await source() : source;
    } catch (err) {
      throw credentialsFailure(call.operation, err);
    }
    const payloadHash = hasBody ? UNSIGNED_PAYLOAD : EMPTY_PAYLOAD_HASH;
    // x-amz-content-sha256 must be present for S3 whatever the signer adds.
    const toSign = { ...headers, 'x-amz-content-sha256': payloadHash };
    return this.sign({ method: call.method, url: call.url, headers: toSign }, creds, {
      region: this.opts.region,
      service: 's3',
      now: this.opts.now(),
      payloadHash,
    });
  }
}

export { consumeBody } from '../http-transport.ts';
