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
import { credentialsFailure, frameBody, requestWithin, sendWithRetries } from '../http-transport.ts';
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
  send(call: AzureCall): Promise<OutboundResponse> {
    return sendWithRetries<AzureResponseError>(this.opts, {
      ...call,
      sendOnce: () => this.sendOnce(call),
      judge: async (response) => (response.status < 300 || response.status === 304
        ? response
        : new AzureResponseError(call.operation, response.status, response.headers, await readError(response))),
      describe: (failure) => ({ status: failure.status, ...failure.detail }),
    });
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
