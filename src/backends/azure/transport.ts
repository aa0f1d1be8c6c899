/**
 * One Blob service request, end to end: version and date headers,
 * authorization, the injected `HttpClient`, a bound on the wait for the
 * answer, retries of what may be retried, and Azure's error document read
 * into a typed failure.
 */
import { BackendError, BackendUnavailableError } from '../../core/backend-errors.ts';
import { discardBody, readAll, type Body } from '../../core/body.ts';
import type { HeaderMap, HttpClient, OutboundResponse } from '../../core/http.ts';
import type { ResolvedHttpBackendTiming } from '../http-backend-options.ts';
import { credentialsFailure, describeThrown, frameBody, isRetryableStatus, requestWithin } from '../http-transport.ts';
import { backoffDelay, sleepUnlessAborted } from '../s3/retry.ts';
import type { RequestAuthorizer } from './auth.ts';
import { parseErrorDocument, type AzureErrorDocument } from './xml.ts';

/** The Blob service version spoken (bearer tokens need 2017-11-09 or later). */
export const AZURE_API_VERSION = '2021-12-02';
const ERROR_BODY_LIMIT = 64 * 1024;

export interface AzureCall {
  /** Blob service operation name, for error causes and logs. */
  operation: string;
  method: string;
  url: string;
  headers?: HeaderMap;
  /** Bytes can be sent again on a retry; a stream is sent once. */
  body?: Uint8Array | Body;
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface AzureTransportOptions extends ResolvedHttpBackendTiming {
  http: HttpClient;
  authorizer: RequestAuthorizer;
}

/** A final answer other than 2xx or 304, with Azure's error code (`x-ms-error-code` or the document's). */
export class AzureResponseError extends Error {
  override name = 'AzureResponseError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly headers: HeaderMap,
    readonly detail: AzureErrorDocument,
  ) {
    super(`${operation}: ${status}${detail.code ? ` ${detail.code}` : ''}`);
  }
  get code(): string | undefined {
    return this.detail.code;
  }
}

async function readError(res: OutboundResponse): Promise<AzureErrorDocument> {
  let detail: AzureErrorDocument = {};
  try {
    detail = parseErrorDocument(new TextDecoder().decode(await readAll(res.body, ERROR_BODY_LIMIT)));
  } catch {
    discardBody(res.body);
  }
  const code = res.headers['x-ms-error-code'];
  return code ? { ...detail, code } : detail;
}

export class AzureTransport {
  constructor(private readonly opts: AzureTransportOptions) {}

  /** Send `call`; 2xx and 304 answers are returned (body unread), others throw. */
  async send(call: AzureCall): Promise<OutboundResponse> {
    const replayable = call.body === undefined || call.body instanceof Uint8Array;
    const attempts = call.idempotent && replayable ? this.opts.attempts : 1;
    let lastFailure: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        await sleepUnlessAborted(this.opts.sleep, backoffDelay(attempt - 1, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random), call.signal);
      }
      let response: OutboundResponse;
      try {
        response = await this.sendOnce(call);
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason;
        // Typed failures (credentials refused or unavailable) are final: retrying cannot change them.
        if (err instanceof BackendError) throw err;
        lastFailure = err;
        continue;
      }
      if (response.status < 300 || response.status === 304) return response;
      const failure = new AzureResponseError(call.operation, response.status, response.headers, await readError(response));
      if (!isRetryableStatus(failure.status)) throw failure;
      lastFailure = failure;
    }
    const cause =
      lastFailure instanceof AzureResponseError
        ? { operation: call.operation, attempts, status: lastFailure.status, ...lastFailure.detail }
        : { operation: call.operation, attempts, error: describeThrown(lastFailure) };
    throw new BackendUnavailableError('storage backend unavailable', cause);
  }

  private async sendOnce(call: AzureCall): Promise<OutboundResponse> {
    const headers: HeaderMap = { ...call.headers, 'x-ms-version': AZURE_API_VERSION, 'x-ms-date': this.opts.now().toUTCString() };
    const body = frameBody(call.method, call.body, headers, true);
    const url = this.opts.authorizer.url(call.url);
    let auth: HeaderMap;
    try {
      auth = await this.opts.authorizer.headers(call.method, url, headers, call.signal);
    } catch (err) {
      discardBody(body);
      // A token service's typed answer (refused: 403, unavailable: 503, unreadable: 502) keeps its meaning.
      throw credentialsFailure(call.operation, err);
    }
    return requestWithin(this.opts.http, { method: call.method, url, headers: { ...headers, ...auth }, body }, call.signal, this.opts.responseTimeoutMs);
  }
}

export { consumeBody } from '../http-transport.ts';
