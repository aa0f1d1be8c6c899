/**
 * GET requests to the policy API through the injected `HttpClient` (so the
 * store runs on Node and Workers alike): the caller's authorization, bounded
 * time and response size, JSON checked against its schema. 404 is "absent";
 * every other failure — refused credentials, 5xx, a timeout, a document of
 * the wrong shape — is a `PolicyApiError`, which the lookup cache turns into
 * a stale answer or a 503.
 */
import type { z } from 'zod';
import { discardBody, readAll } from '../../core/body.ts';
import type { HttpClient } from '../../core/http.ts';

export class PolicyApiError extends Error {
  override name = 'PolicyApiError';
  constructor(message: string, readonly status?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface PolicyApiClientOptions {
  /** The API's base URL, without a trailing slash. */
  url: string;
  http: () => HttpClient;
  /** The `Authorization` header for a lookup about `account` (a static bearer, or a JWT whose `sub` is the account). */
  authorization(account: string): Promise<string>;
  /** Per call; default 5 s. */
  timeoutMs?: number;
}

const MAX_DOCUMENT_BYTES = 1 << 20;

export class PolicyApiClient {
  private readonly base: string;

  constructor(private readonly options: PolicyApiClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  /** The document at `segments` (each one URL-encoded) asked about `account`; null for 404. */
  async get<S extends z.ZodType>(segments: readonly string[], account: string, schema: S): Promise<z.output<S> | null> {
    const path = segments.map((s) => encodeURIComponent(s)).join('/');
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    let response;
    try {
      response = await this.options.http().request({
        method: 'GET',
        url: `${this.base}/${path}`,
        headers: { accept: 'application/json', authorization: await this.options.authorization(account) },
        timeouts: { connectMs: timeoutMs, responseMs: timeoutMs, idleMs: timeoutMs },
      });
    } catch (error) {
      throw new PolicyApiError(`GET /${path}: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
    if (response.status === 404) {
      discardBody(response.body);
      return null;
    }
    if (response.status !== 200) {
      discardBody(response.body);
      throw new PolicyApiError(`GET /${path} answered ${response.status}`, response.status);
    }
    let document: unknown;
    try {
      document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(response.body, MAX_DOCUMENT_BYTES)));
    } catch (error) {
      throw new PolicyApiError(`GET /${path}: the answer is not a JSON document of at most ${MAX_DOCUMENT_BYTES} bytes`, 200, { cause: error });
    }
    const parsed = schema.safeParse(document);
    if (!parsed.success) throw new PolicyApiError(`GET /${path}: the document does not have the documented shape (${parsed.error.issues[0]?.message ?? 'invalid'})`, 200);
    return parsed.data;
  }
}
